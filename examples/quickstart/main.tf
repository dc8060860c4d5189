# The quickstart that `make demo` applies against the sandbox. The provider's
# settings come from the environment (APPXCHANGE_BASE_URL and credentials).
terraform {
  required_providers {
    appxchange = {
      source = "appxchange/appxchange"
    }
  }
}

provider "appxchange" {}

# A public connector, looked up by key.
data "appxchange_connector" "procore" {
  key = "procore"
}

output "procore_connector_id" {
  value = data.appxchange_connector.procore.id
}

output "procore_connection_definitions" {
  value = { for key, definition in data.appxchange_connector.procore.connection_definitions : key => definition.auth_type }
}
