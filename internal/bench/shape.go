package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// attributeShape is what the CLI sees of an attribute, descriptions aside.
type attributeShape struct {
	Type      json.RawMessage `json:"type"`
	Required  bool            `json:"required"`
	Optional  bool            `json:"optional"`
	Computed  bool            `json:"computed"`
	Sensitive bool            `json:"sensitive"`
	WriteOnly bool            `json:"write_only"`
}

type providersSchema struct {
	ProviderSchemas map[string]struct {
		ResourceSchemas map[string]struct {
			Block struct {
				Attributes map[string]attributeShape `json:"attributes"`
			} `json:"block"`
		} `json:"resource_schemas"`
	} `json:"provider_schemas"`
}

// checkSameShape refuses to measure when the do-nothing plugin's resource no longer
// has the attributes of appxchange_oauth_client, as the CLI sees them.
func (m *measurer) checkSameShape(ctx context.Context) error {
	provider, err := m.resourceShape(ctx, providerVariant, "appxchange_oauth_client")
	if err != nil {
		return err
	}
	noop, err := m.resourceShape(ctx, noopVariant, "noop_oauth_client")
	if err != nil {
		return err
	}
	if diff := shapeDiff(provider, noop); diff != "" {
		return fmt.Errorf("the do-nothing plugin's noop_oauth_client differs from appxchange_oauth_client: %s; "+
			"change internal/bench/testdata/noop-provider to match", diff)
	}
	return nil
}

func (m *measurer) resourceShape(ctx context.Context, v variant, resourceType string) (map[string]attributeShape, error) {
	dir, err := m.workspace(v, 10)
	if err != nil {
		return nil, err
	}
	out, err := m.cli.output(ctx, dir, "providers", "schema", "-json")
	if err != nil {
		return nil, err
	}
	var s providersSchema
	if err := json.Unmarshal(out, &s); err != nil {
		return nil, fmt.Errorf("providers schema -json in %s: %w", dir, err)
	}
	for _, p := range s.ProviderSchemas {
		if r, ok := p.ResourceSchemas[resourceType]; ok {
			return r.Block.Attributes, nil
		}
	}
	return nil, fmt.Errorf("providers schema -json in %s has no %s", dir, resourceType)
}

// shapeDiff names the attributes that differ between two shapes; empty when none do.
func shapeDiff(want, got map[string]attributeShape) string {
	var diffs []string
	for _, name := range slices.Sorted(maps.Keys(want)) {
		g, ok := got[name]
		w := want[name]
		switch {
		case !ok:
			diffs = append(diffs, name+" is missing")
		case string(w.Type) != string(g.Type) || w.Required != g.Required || w.Optional != g.Optional ||
			w.Computed != g.Computed || w.Sensitive != g.Sensitive || w.WriteOnly != g.WriteOnly:
			diffs = append(diffs, fmt.Sprintf("%s is %s, not %s", name, shapeString(g), shapeString(w)))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[name]; !ok {
			diffs = append(diffs, name+" is extra")
		}
	}
	return strings.Join(diffs, "; ")
}

func shapeString(a attributeShape) string {
	var flags []string
	for _, f := range []struct {
		on   bool
		name string
	}{{a.Required, "required"}, {a.Optional, "optional"}, {a.Computed, "computed"}, {a.Sensitive, "sensitive"}, {a.WriteOnly, "write-only"}} {
		if f.on {
			flags = append(flags, f.name)
		}
	}
	return string(a.Type) + " " + strings.Join(flags, ",")
}
