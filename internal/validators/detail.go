package validators

import "github.com/hashicorp/terraform-plugin-framework/path"

// Detail is the detail of a diagnostic about the attribute at p. It never starts
// with the path: Terraform prints the attribute's line above the detail, so
// "token_url: ..." would say it twice. Only an attribute nested in a map, list or
// set of objects (a path of more than one step) gets its path, as a last sentence:
// for those, Terraform 1.11 and OpenTofu 1.12 point at the resource block alone
// (Terraform 1.16 points at the line), and the path is then the only way to tell
// which element the detail is about.
func Detail(p path.Path, detail string) string {
	if len(p.Steps()) <= 1 {
		return detail
	}
	return detail + " The attribute is " + p.String() + "."
}
