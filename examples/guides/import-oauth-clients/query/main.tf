terraform {
  required_providers {
    appxchange = {
      source  = "appxchange/appxchange"
      version = "~> 0.1"
    }
  }
}

# Credentials come from the environment: APPXCHANGE_BASE_URL, and
# APPXCHANGE_CLIENT_ID with APPXCHANGE_CLIENT_SECRET, or APPXCHANGE_ACCESS_TOKEN.
provider "appxchange" {}
