# Terraform 1.12 and later: adopt a connector of your account by its identity,
# the id.
import {
  to = appxchange_connector.example
  identity = {
    id = "0b9f3a52-1c4d-4e8f-a6b7-2d3c4e5f6a7b"
  }
}
