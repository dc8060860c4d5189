# Copy this file with the example: without it, terraform init looks for
# hashicorp/appxchange, which does not exist.
terraform {
  required_providers {
    appxchange = {
      source  = "appxchange/appxchange"
      version = "~> 0.1"
    }
  }
}
