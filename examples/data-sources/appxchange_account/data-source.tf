# The account that the provider's credentials act for.
data "appxchange_account" "current" {}

data "appxchange_oauth_clients" "visible" {}

# The account's own OAuth clients: the list also holds the public clients of
# other accounts' connectors, which the account can use but not manage.
output "own_oauth_client_ids" {
  value = [
    for client in data.appxchange_oauth_clients.visible.oauth_clients : client.id
    if client.account_id == data.appxchange_account.current.id
  ]
}
