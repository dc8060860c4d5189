package provider

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// TestDocsCoverEverySchema: every resource, data source and list resource the provider
// serves has a registry page in docs/ with a description, an example, the schema and,
// for a resource, how to import it, by id and by identity. make generate writes the pages; this test notices a
// type added without an example or a page not regenerated.
func TestDocsCoverEverySchema(t *testing.T) {
	type page struct{ typeName, file, description string }
	var pages []page
	for _, s := range servedSchemas(t) {
		dir := map[string]string{"resource": "resources", "data source": "data-sources", "list resource": "list-resources"}[s.kind]
		if dir == "" {
			continue
		}
		description := schemaDescription(reflectString(s.schema, "Description"), reflectString(s.schema, "MarkdownDescription"))
		pages = append(pages, page{s.typeName, filepath.Join(dir, strings.TrimPrefix(s.typeName, "appxchange_")+".md"), description})
	}
	if len(pages) < 9 {
		t.Fatalf("found %d resources, data sources and list resources; the provider serves at least 9", len(pages))
	}

	for _, pg := range pages {
		content, err := os.ReadFile(filepath.Join("..", "..", "docs", pg.file))
		if err != nil {
			t.Errorf("%s has no page: %v (run make generate)", pg.typeName, err)
			continue
		}
		doc := string(content)
		want := []string{"# " + pg.typeName + " (", pg.description, "## Example Usage\n\n```terraform\n", "## Schema"}
		if strings.HasPrefix(pg.file, "resources") {
			want = append(want, "## Import", "terraform import "+pg.typeName+".", "### Identity Schema", "identity = {")
		}
		for _, w := range want {
			if !strings.Contains(doc, w) {
				t.Errorf("docs/%s lacks %q (add the example or run make generate)", pg.file, w)
			}
		}
	}
}

// servedSchema is a schema the provider serves: of the provider itself, a resource,
// a resource's identity, a data source or a list resource.
type servedSchema struct {
	kind, typeName string
	schema         any
}

// name is how messages name the schema: its kind, then its type name.
func (s servedSchema) name() string { return strings.TrimSpace(s.kind + " " + s.typeName) }

// servedSchemas is every schema the provider serves.
func servedSchemas(t *testing.T) []servedSchema {
	t.Helper()
	ctx := context.Background()
	p, ok := New("test")().(*appxchangeProvider)
	if !ok {
		t.Fatal("New does not make an *appxchangeProvider")
	}
	var meta provider.MetadataResponse
	p.Metadata(ctx, provider.MetadataRequest{}, &meta)
	var ps provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &ps)
	out := []servedSchema{{"provider", "", ps.Schema}}
	for _, newResource := range p.Resources(ctx) {
		r := newResource()
		var m resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: meta.TypeName}, &m)
		var s resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &s)
		out = append(out, servedSchema{"resource", m.TypeName, s.Schema})
		if ri, ok := r.(resource.ResourceWithIdentity); ok {
			var is resource.IdentitySchemaResponse
			ri.IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &is)
			out = append(out, servedSchema{"identity", m.TypeName, is.IdentitySchema})
		}
	}
	for _, newDataSource := range p.DataSources(ctx) {
		d := newDataSource()
		var m datasource.MetadataResponse
		d.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: meta.TypeName}, &m)
		var s datasource.SchemaResponse
		d.Schema(ctx, datasource.SchemaRequest{}, &s)
		out = append(out, servedSchema{"data source", m.TypeName, s.Schema})
	}
	for _, newList := range p.ListResources(ctx) {
		l := newList()
		var m resource.MetadataResponse
		l.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: meta.TypeName}, &m)
		var s list.ListResourceSchemaResponse
		l.ListResourceConfigSchema(ctx, list.ListResourceSchemaRequest{}, &s)
		out = append(out, servedSchema{"list resource", m.TypeName, s.Schema})
	}
	return out
}

// reflectString is the string field name of a schema struct.
func reflectString(schema any, name string) string {
	return reflect.ValueOf(schema).FieldByName(name).String()
}

// schemaDescription is the description of a schema, whichever of the two it sets.
func schemaDescription(plain, markdown string) string {
	if markdown != "" {
		return markdown
	}
	return plain
}

// markup is markdown in a description: inline code or a link.
var markup = regexp.MustCompile("`|\\[[^\\]]*\\]\\([^)]*\\)")

// TestSchemaDescriptions: every description of the provider's schemas (the provider,
// each resource and its identity, each data source and list resource, down to the
// attributes of nested objects) ends in a period, and is set as MarkdownDescription
// when it holds markdown (a backtick or a link), as Description when it is plain
// text, never as both. Terraform's `providers schema -json` gives a
// MarkdownDescription the description_kind "markdown", so tools know to render it.
func TestSchemaDescriptions(t *testing.T) {
	schemas := map[string]any{}
	for _, s := range servedSchemas(t) {
		schemas[s.name()] = s.schema
	}

	var seen []string
	for _, name := range slices.Sorted(maps.Keys(schemas)) {
		walkDescriptions(reflect.ValueOf(schemas[name]), name, func(at, plain, markdown string) {
			seen = append(seen, at)
			text := plain + markdown
			switch {
			case plain != "" && markdown != "":
				t.Errorf("%s sets both Description and MarkdownDescription; set one", at)
			case markup.MatchString(plain):
				t.Errorf("%s has markdown in Description (%q); set it as MarkdownDescription", at, plain)
			case markdown != "" && !markup.MatchString(markdown):
				t.Errorf("%s has plain text in MarkdownDescription (%q); set it as Description", at, markdown)
			case !strings.HasSuffix(text, "."):
				t.Errorf("%s: the description %q does not end in a period", at, text)
			}
		})
	}
	// The walk reaches every kind of schema and the attributes of nested objects.
	for _, at := range []string{
		"provider", "provider.base_url", "resource appxchange_oauth_client.client_secret_expires_at", "identity appxchange_connector.id",
		"resource appxchange_connector.connection_definitions.properties.enum_values", "data source appxchange_oauth_clients.oauth_clients.prompts",
		"data source appxchange_connector.connection_definitions.properties.type", "list resource appxchange_oauth_client.public",
	} {
		if !slices.Contains(seen, at) {
			t.Errorf("the walk did not reach %s", at)
		}
	}
}

// walkDescriptions calls check with the Description and MarkdownDescription (empty
// where the type has none) of v, a framework schema, attribute or block, and of
// everything nested in it, named by at.
func walkDescriptions(v reflect.Value, at string, check func(at, plain, markdown string)) {
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return
	}
	// Identity attributes have a Description alone: their text must be plain.
	if plain := v.FieldByName("Description"); plain.IsValid() && plain.Kind() == reflect.String {
		markdown := ""
		if md := v.FieldByName("MarkdownDescription"); md.IsValid() && md.Kind() == reflect.String {
			markdown = md.String()
		}
		check(at, plain.String(), markdown)
	}
	for _, field := range []string{"Attributes", "Blocks"} {
		m := v.FieldByName(field)
		if !m.IsValid() || m.Kind() != reflect.Map {
			continue
		}
		keys := m.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			walkDescriptions(m.MapIndex(k), at+"."+k.String(), check)
		}
	}
	if nested := v.FieldByName("NestedObject"); nested.IsValid() {
		walkDescriptions(nested, at, check)
	}
}
