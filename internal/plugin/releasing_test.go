package plugin

import (
	"context"
	"errors"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"weak"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

type requestValueKey struct{}

// keeper is a server that, like terraform-plugin-framework's, keeps the context of
// every call after the call returns.
type keeper struct {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
	kept []context.Context
	seen any // the request value the call saw
}

func (k *keeper) ReadResource(ctx context.Context, _ *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	k.seen = ctx.Value(requestValueKey{})
	k.kept = append(k.kept, ctx)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return &tfprotov6.ReadResourceResponse{}, nil
}

// TestReleasingServerLetsGoOfCallContexts: a server that keeps each call's context
// keeps, behind releasingServer, nothing of what the call's context held.
func TestReleasingServerLetsGoOfCallContexts(t *testing.T) {
	for _, tc := range []struct {
		name     string
		wrap     func(*keeper) tfprotov6.ProviderServer
		released bool
	}{
		{"without releasing", func(k *keeper) tfprotov6.ProviderServer { return k }, false},
		{"with releasing", func(k *keeper) tfprotov6.ProviderServer { return Releasing(k) }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := &keeper{}
			server := tc.wrap(k)
			value := new([1 << 20]byte) // what a call's context carries: loggers, request data
			gone := weak.Make(value)
			ctx := context.WithValue(t.Context(), requestValueKey{}, value)
			if _, err := server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{}); err != nil {
				t.Fatalf("the call failed: %v", err)
			}
			if k.seen != any(value) {
				t.Fatal("the call did not see its context's value")
			}
			k.seen = nil
			runtime.GC()
			if released := gone.Value() == nil; released != tc.released {
				t.Errorf("the call's context value released: %t, want %t", released, tc.released)
			}
			if tc.released {
				kept := k.kept[0]
				if kept.Value(requestValueKey{}) != nil || !errors.Is(kept.Err(), context.Canceled) {
					t.Errorf("a released context still has its values (%v) or has not ended (%v)", kept.Value(requestValueKey{}), kept.Err())
				}
			}
		})
	}
}

// TestReleasableContextFollowsItsParent: until released, the context ends with its
// parent, and contexts made from it do too.
func TestReleasableContextFollowsItsParent(t *testing.T) {
	parent, cancel := context.WithCancel(context.WithValue(t.Context(), requestValueKey{}, "request"))
	rc := newReleasableContext(parent)
	child, stop := context.WithCancel(rc)
	defer stop()
	if rc.Value(requestValueKey{}) != "request" || rc.Err() != nil {
		t.Fatalf("before release: value %v, err %v", rc.Value(requestValueKey{}), rc.Err())
	}
	cancel()
	<-child.Done() // a context made from it ends with the parent
	if !errors.Is(rc.Err(), context.Canceled) {
		t.Errorf("after the parent ended: err %v", rc.Err())
	}
	rc.release()
	if rc.Value(requestValueKey{}) != nil {
		t.Error("after release the context still has its parent's values")
	}
}

// TestReleasingRefusesAServerWithoutListResources: behind a wrapper that did not serve
// list resources, Terraform's query calls would find no method to call.
func TestReleasingRefusesAServerWithoutListResources(t *testing.T) {
	defer func() {
		if msg, _ := recover().(string); !strings.Contains(msg, "does not serve list resources") {
			t.Errorf("Releasing panicked with %q, want a message saying the server does not serve list resources", msg)
		}
	}()
	Releasing(struct{ tfprotov6.ProviderServer }{})
}

// emptyProvider is a framework provider with nothing in it: the framework's server is
// the same type, with the same methods, whatever the provider serves.
type emptyProvider struct{}

func (emptyProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "empty"
}

func (emptyProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (emptyProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (emptyProvider) Resources(context.Context) []func() resource.Resource { return nil }

func (emptyProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

// frameworkServer is the protocol 6 server of terraform-plugin-framework.
func frameworkServer() tfprotov6.ProviderServer {
	return providerserver.NewProtocol6(emptyProvider{})()
}

// TestReleasingServerServesWhatTheFrameworkServes: every method of the framework's
// server is one of releasingServer's, so that no call Terraform makes finds the
// provider without it, but those of protocol features the provider has none of.
func TestReleasingServerServesWhatTheFrameworkServes(t *testing.T) {
	framework := frameworkServer()
	wrapped := reflect.TypeOf(Releasing(framework))
	notServed := map[string]string{}
	for _, features := range []reflect.Type{
		reflect.TypeFor[tfprotov6.ActionServer](),     // the provider has no actions
		reflect.TypeFor[tfprotov6.StateStoreServer](), // nor state stores
	} {
		for m := range features.Methods() {
			notServed[m.Name] = features.Name()
		}
	}
	served := 0
	for m := range reflect.TypeOf(framework).Methods() {
		if _, ok := wrapped.MethodByName(m.Name); ok {
			served++
			continue
		}
		if notServed[m.Name] == "" {
			t.Errorf("the framework's server has %s, and releasingServer does not pass it on", m.Name)
		}
	}
	if _, ok := wrapped.MethodByName("ListResource"); !ok || served < 20 {
		t.Errorf("releasingServer serves %d of the framework's methods, ListResource among them: %t", served, ok)
	}
}

// notReleased are the calls on a type that releasingServer passes on with the call's
// own context, each with the reason it must.
var notReleased = map[string]string{
	"ListResource": "it answers with a stream that tf6server reads after the call has returned, " +
		"and the stream uses the call's context",
}

// TestReleasingServerReleasesEveryCallOnAType: every method of the interfaces of
// terraform-plugin-go that releasingServer serves (those it embeds: ProviderServer with
// ResourceServer, DataSourceServer, EphemeralResourceServer and the rest, and
// ListResourceServer), whose request names a type (a field TypeName, or SourceTypeName
// and TargetTypeName for a move) is a call made once per resource, data source, list
// resource or ephemeral resource, and releasingServer releases its context, unless
// notReleased says why it must not. A method that a new version of terraform-plugin-go
// adds fails here until releasingServer defines it with callReleasing, or notReleased
// lists it.
//
// Each call goes to the framework's server with a context carrying a value, and the
// test proves that after the call nothing holds that value any more; the same call
// straight to the framework's server, which keeps every context, must hold it, so
// that the check can tell. A method that releasingServer does not define itself is
// the framework's own, promoted, and keeps the value.
func TestReleasingServerReleasesEveryCallOnAType(t *testing.T) {
	framework := frameworkServer()
	wrapped := Releasing(framework)
	found := map[string]bool{}
	for field := range reflect.TypeFor[releasingServer]().Fields() {
		if !field.Anonymous || field.Type.Kind() != reflect.Interface {
			continue
		}
		for m := range field.Type.Methods() {
			request := m.Type.In(1) // after the context
			if !namesAType(request) {
				continue
			}
			found[m.Name] = true
			t.Run(m.Name, func(t *testing.T) {
				if !keepsContext(t, framework, m.Name, request) {
					t.Fatalf("the framework's server no longer keeps the context of %s: this test cannot tell whether releasingServer releases it", m.Name)
				}
				kept := keepsContext(t, wrapped, m.Name, request)
				reason, passedOn := notReleased[m.Name]
				switch {
				case kept && !passedOn:
					t.Errorf("releasingServer passes %s.%s on without releasing its context: "+
						"define it with callReleasing, or add it to notReleased with the reason it must not be released",
						field.Type.Name(), m.Name)
				case !kept && passedOn:
					t.Errorf("releasingServer releases the context of %s, and must not: %s", m.Name, reason)
				}
			})
		}
	}
	for name := range notReleased {
		if !found[name] {
			t.Errorf("notReleased lists %s, which is not a call on a type that releasingServer serves", name)
		}
	}
	// The calls Terraform makes for every resource of a plan, and for every list.
	for _, name := range []string{"ReadResource", "PlanResourceChange", "ReadDataSource", "ListResource"} {
		if !found[name] {
			t.Errorf("%s is not found to name a type: the test no longer reads the requests right", name)
		}
	}
}

// namesAType reports whether a request (a pointer to a struct) names a resource, data
// source, list resource or ephemeral resource type.
func namesAType(request reflect.Type) bool {
	if request.Kind() != reflect.Pointer || request.Elem().Kind() != reflect.Struct {
		return false
	}
	for field := range request.Elem().Fields() {
		if strings.HasSuffix(field.Name, "TypeName") && field.Type.Kind() == reflect.String {
			return true
		}
	}
	return false
}

// keepsContext reports whether server still holds anything of a call's context after
// a call of method with an empty request (which the framework answers with a
// diagnostic, as it knows no type of that name).
func keepsContext(t *testing.T, server tfprotov6.ProviderServer, method string, request reflect.Type) bool {
	t.Helper()
	gone := callWithValue(t, server, method, request)
	runtime.GC()
	return gone.Value() != nil
}

// callWithValue calls method with a context that carries a value, and returns a weak
// pointer to the value. The context does not descend from one that can be canceled,
// which would hold every context made from it with a cancel until it ends.
func callWithValue(t *testing.T, server tfprotov6.ProviderServer, method string, request reflect.Type) weak.Pointer[[1 << 20]byte] {
	t.Helper()
	value := new([1 << 20]byte)
	ctx := context.WithValue(context.WithoutCancel(t.Context()), requestValueKey{}, value)
	out := reflect.ValueOf(server).MethodByName(method).Call([]reflect.Value{reflect.ValueOf(ctx), reflect.New(request.Elem())})
	if err, _ := out[len(out)-1].Interface().(error); err != nil {
		t.Fatalf("%s failed: %v", method, err)
	}
	return weak.Make(value)
}
