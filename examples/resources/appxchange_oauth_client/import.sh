# An OAuth client is imported by its id (a UUID). The API never returns the
# secret: set client_secret (or client_secret_wo and its version) afterwards if
# Terraform should manage it; leaving them out keeps the secret as it is.
terraform import appxchange_oauth_client.procore 3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b
