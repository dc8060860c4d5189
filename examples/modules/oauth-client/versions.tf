terraform {
  # Write-only attributes and ephemeral variables need Terraform 1.11 (OpenTofu 1.11).
  required_version = ">= 1.11"

  required_providers {
    appxchange = {
      source = "appxchange/appxchange"
    }
  }
}
