# The connector and the connection definition an OAuth client is for. A module
# of its own, so that unit tests can replace it with override_module: mocked
# data sources cannot fill nested attributes such as connection_definitions.

terraform {
  required_providers {
    appxchange = {
      source = "appxchange/appxchange"
    }
  }
}

variable "key" {
  description = "Key of the connector, such as procore."
  type        = string
}

variable "connection_definition" {
  description = "Key of the connection definition."
  type        = string
}

data "appxchange_connector" "this" {
  key = var.key
}

output "id" {
  description = "ID of the connector."
  value       = data.appxchange_connector.this.id
}

output "definition_keys" {
  description = "Keys of the connector's connection definitions."
  value       = sort(keys(data.appxchange_connector.this.connection_definitions))
}

output "auth_type" {
  description = "Auth type of the connection definition; null when the connector has none of that key."
  value       = try(data.appxchange_connector.this.connection_definitions[var.connection_definition].auth_type, null)
}
