package provider

import (
	"context"
	"errors"
	"reflect"
	"runtime"
	"testing"
	"weak"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
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
		{"with releasing", func(k *keeper) tfprotov6.ProviderServer { return newReleasingServer(k) }, true},
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

// TestReleasingServerServesWhatTheFrameworkServes: every method of the framework's
// server is one of releasingServer's, so that no call Terraform makes finds the
// provider without it, but those of protocol features the provider has none of.
func TestReleasingServerServesWhatTheFrameworkServes(t *testing.T) {
	framework := providerserver.NewProtocol6(New("test")())()
	wrapped := reflect.TypeOf(newReleasingServer(framework))
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
