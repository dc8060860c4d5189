# Every OAuth client of your account on one connector, with its configuration:
#   terraform query -generate-config-out=generated.tf
# writes an import block and a resource block for each.
list "appxchange_oauth_client" "procore" {
  provider         = appxchange
  include_resource = true
  limit            = 1000 # Terraform stops at 100 results by default

  config {
    connector_id = "6f1c2b0e-8a7d-4c1e-9b3f-0d2a5e7c9a01"
    # connection_definition = "oAuth2CodeFlow"
    # public                = false
    # search                = "production" # in the name, case-insensitive
  }
}
