# The configuration that adopts the clients: this file, the imports.tf that
# the discover configuration printed, and the oauth_clients.tf that
#   terraform plan -generate-config-out=oauth_clients.tf
# writes from them.
terraform {
  required_providers {
    appxchange = {
      source  = "appxchange/appxchange"
      version = "~> 0.1"
    }
  }
}

provider "appxchange" {}
