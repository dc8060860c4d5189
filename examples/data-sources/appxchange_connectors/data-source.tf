# Every public connector whose name or key contains "crm", in any case.
data "appxchange_connectors" "crm" {
  search     = "crm"
  visibility = "public"
}

output "public_crm_connector_ids" {
  value = data.appxchange_connectors.crm.ids
}

# The keys of the account's own (private) connectors.
data "appxchange_connectors" "own" {
  visibility = "account"
}

output "own_connector_keys" {
  value = [for connector in data.appxchange_connectors.own.connectors : connector.key]
}
