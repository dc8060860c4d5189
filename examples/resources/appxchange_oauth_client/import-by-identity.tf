# Terraform 1.12 and later: adopt an OAuth client by its identity, the id.
# `terraform query` writes such blocks for every client of your account; see
# the list resource appxchange_oauth_client.
import {
  to = appxchange_oauth_client.procore
  identity = {
    id = "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"
  }
}
