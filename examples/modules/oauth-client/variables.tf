variable "name" {
  description = "Name of the OAuth client, as App Xchange shows it."
  type        = string

  validation {
    condition     = length(var.name) >= 1 && length(var.name) <= 200
    error_message = "The name must be 1 to 200 characters long."
  }
}

variable "connector_key" {
  description = "Key of the connector the client is for, such as procore."
  type        = string
}

variable "connection_definition" {
  description = "Key of the connector's OAuth 2.0 connection definition, such as oAuth2CodeFlow."
  type        = string
}

variable "client_id" {
  description = "Client ID of the app registered at the external service."
  type        = string
}

variable "client_secret" {
  description = "Client secret of the app. Write-only: it never reaches the plan or the state."
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "client_secret_version" {
  description = "Version of client_secret, 1 or more, set with it: raise it to send a new secret."
  type        = number
  default     = null
}

variable "client_secret_expires_at" {
  description = "When the secret expires, in RFC 3339, such as 2030-12-31T23:59:59Z."
  type        = string
  default     = null
}

variable "expiry_warning_days" {
  description = "How many days before the secret expires the secret_expiry check warns."
  type        = number
  default     = 30
}

variable "scopes" {
  description = "Scopes of the client; the definition's preset scopes when null."
  type        = set(string)
  default     = null
}
