# The connectors your account develops whose name or key holds "erp".
list "appxchange_connector" "erp" {
  provider         = appxchange
  include_resource = true

  config {
    search = "erp"
  }
}
