output "id" {
  description = "ID of the OAuth client."
  value       = appxchange_oauth_client.this.id
}

output "auth_type" {
  description = "Auth type of the connection definition, such as oauth2_code_flow."
  value       = module.connector.auth_type
}

output "token_url" {
  description = "Token URL of the client: the definition's preset unless set."
  value       = appxchange_oauth_client.this.token_url
}

output "client_authentication" {
  description = "How the client authenticates at the token URL: the definition's preset unless set."
  value       = appxchange_oauth_client.this.client_authentication
}

output "client_secret_set" {
  description = "Whether App Xchange holds a secret for the client."
  value       = appxchange_oauth_client.this.client_secret_set
}
