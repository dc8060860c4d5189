# Adopt an OAuth client made in the web app. With
# `terraform plan -generate-config-out=generated.tf`, Terraform writes its
# configuration for you.
import {
  to = appxchange_oauth_client.procore
  id = "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"
}
