terraform {
  required_providers {
    appxchange = {
      source  = "appxchange/appxchange"
      version = "~> 0.1"
    }
  }
}

# A service account: its client ID and secret are exchanged for tokens
# (client-credentials grant at token_url, by default Trimble Identity).
provider "appxchange" {
  base_url      = "https://appxchange.example.com/management/v1"
  client_id     = var.appxchange_client_id
  client_secret = var.appxchange_client_secret
}

variable "appxchange_client_id" {
  type = string
}

variable "appxchange_client_secret" {
  type      = string
  sensitive = true
}
