# Every OAuth client the account owns, as a resource with its configuration.
list "appxchange_oauth_client" "clients" {
  provider         = appxchange
  include_resource = true
  limit            = 10000
}

# The connectors the account develops, which some of its clients may use.
list "appxchange_connector" "connectors" {
  provider         = appxchange
  include_resource = true
  limit            = 1000
}
