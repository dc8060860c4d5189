variable "secret_expiry_warning_days" {
  description = "How many days before a client secret expires the client_secret_expiry check warns about it."
  type        = number
  default     = 30

  validation {
    condition     = var.secret_expiry_warning_days >= 0 && floor(var.secret_expiry_warning_days) == var.secret_expiry_warning_days
    error_message = "secret_expiry_warning_days must be a whole number of days, 0 or more."
  }
}

variable "oauth_clients" {
  description = "The OAuth clients for Procore, by a key of your choice: name, client ID, version of the secret in var.client_secrets and when that secret expires (RFC 3339; omitted when it does not expire)."
  type = map(object({
    name                     = string
    client_id                = string
    client_secret_version    = number
    client_secret_expires_at = optional(string)
  }))
  default = {
    production = {
      name                     = "Procore (production)"
      client_id                = "procore-prod"
      client_secret_version    = 1
      client_secret_expires_at = "2027-06-30T00:00:00Z"
    }
    staging = {
      name                     = "Procore (staging)"
      client_id                = "procore-staging"
      client_secret_version    = 1
      client_secret_expires_at = "2027-12-31T00:00:00Z"
    }
    # A secret without an expiry: the check never warns about it.
    sandbox = {
      name                  = "Procore (sandbox)"
      client_id             = "procore-sandbox"
      client_secret_version = 1
    }
  }
}

variable "client_secrets" {
  description = "The secret of each client of var.oauth_clients, by the same key, for instance from TF_VAR_client_secrets. Write-only: never in the plan or the state."
  type        = map(string)
  sensitive   = true
  ephemeral   = true
}
