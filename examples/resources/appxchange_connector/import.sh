# Import a connector of your account by its id (a UUID)...
terraform import appxchange_connector.example 0b9f3a52-1c4d-4e8f-a6b7-2d3c4e5f6a7b

# ...or by its key.
terraform import appxchange_connector.example key:acme-crm
