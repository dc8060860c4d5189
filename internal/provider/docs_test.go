package provider

import (
	"context"
	"os"
	"path/filepath"
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
	ctx := context.Background()
	p, ok := New("test")().(*appxchangeProvider)
	if !ok {
		t.Fatal("New does not make an *appxchangeProvider")
	}
	var meta provider.MetadataResponse
	p.Metadata(ctx, provider.MetadataRequest{}, &meta)

	type page struct{ typeName, file, description string }
	var pages []page
	for _, newResource := range p.Resources(ctx) {
		r := newResource()
		var m resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: meta.TypeName}, &m)
		var s resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &s)
		pages = append(pages, page{m.TypeName, filepath.Join("resources", strings.TrimPrefix(m.TypeName, meta.TypeName+"_")+".md"), s.Schema.Description})
	}
	for _, newDataSource := range p.DataSources(ctx) {
		d := newDataSource()
		var m datasource.MetadataResponse
		d.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: meta.TypeName}, &m)
		var s datasource.SchemaResponse
		d.Schema(ctx, datasource.SchemaRequest{}, &s)
		pages = append(pages, page{m.TypeName, filepath.Join("data-sources", strings.TrimPrefix(m.TypeName, meta.TypeName+"_")+".md"), s.Schema.Description})
	}
	for _, newList := range p.ListResources(ctx) {
		l := newList()
		var m resource.MetadataResponse
		l.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: meta.TypeName}, &m)
		var s list.ListResourceSchemaResponse
		l.ListResourceConfigSchema(ctx, list.ListResourceSchemaRequest{}, &s)
		pages = append(pages, page{m.TypeName, filepath.Join("list-resources", strings.TrimPrefix(m.TypeName, meta.TypeName+"_")+".md"), s.Schema.Description})
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
