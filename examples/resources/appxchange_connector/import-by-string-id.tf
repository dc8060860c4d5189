# Import a connector of your account by its id (a UUID), or by its key written
# as "key:acme-crm".
import {
  to = appxchange_connector.example
  id = "0b9f3a52-1c4d-4e8f-a6b7-2d3c4e5f6a7b"
}
