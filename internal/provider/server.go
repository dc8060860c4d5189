package provider

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// NewServer is the provider's protocol 6 server, as providerserver.NewProtocol6 makes
// it, except that the context of each call on a resource or data source is released
// when the call returns.
//
// terraform-plugin-framework keeps the context of every call until the provider is
// stopped (so that StopProvider can cancel them all), and with each context the
// call's loggers and request-scoped values: some 40 KB for each resource of a plan,
// kept to the end of the process, so a provider process planning 10,000 resources
// would hold 400 MB it never uses again. What the framework keeps now is an empty
// shell per call.
func NewServer(version string) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		return newReleasingServer(providerserver.NewProtocol6(New(version)())())
	}
}

// releasingServer passes every call to the framework's server, the calls made once
// per resource with a context that lets go of the call's own when the call returns.
// It serves list resources too: without them, Terraform's query calls would find no
// method to call.
type releasingServer struct {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
}

// newReleasingServer wraps a server that serves list resources, as the framework's does.
func newReleasingServer(server tfprotov6.ProviderServer) releasingServer {
	lists, ok := server.(tfprotov6.ListResourceServer)
	if !ok {
		panic(fmt.Sprintf("the provider server %T does not serve list resources", server))
	}
	return releasingServer{server, lists}
}

func (s releasingServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return releasing(ctx, req, s.ProviderServer.ValidateResourceConfig)
}

func (s releasingServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return releasing(ctx, req, s.ProviderServer.UpgradeResourceState)
}

func (s releasingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return releasing(ctx, req, s.ProviderServer.ReadResource)
}

func (s releasingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return releasing(ctx, req, s.ProviderServer.PlanResourceChange)
}

func (s releasingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return releasing(ctx, req, s.ProviderServer.ApplyResourceChange)
}

func (s releasingServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return releasing(ctx, req, s.ProviderServer.ImportResourceState)
}

func (s releasingServer) GenerateResourceConfig(ctx context.Context, req *tfprotov6.GenerateResourceConfigRequest) (*tfprotov6.GenerateResourceConfigResponse, error) {
	return releasing(ctx, req, s.ProviderServer.GenerateResourceConfig)
}

func (s releasingServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return releasing(ctx, req, s.ProviderServer.ValidateDataResourceConfig)
}

func (s releasingServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return releasing(ctx, req, s.ProviderServer.ReadDataSource)
}

func (s releasingServer) ValidateListResourceConfig(ctx context.Context, req *tfprotov6.ValidateListResourceConfigRequest) (*tfprotov6.ValidateListResourceConfigResponse, error) {
	return releasing(ctx, req, s.ListResourceServer.ValidateListResourceConfig)
}

// ListResource is passed on as it is: its results are read after it returns, with its
// context, so that context must outlive the call.

// releasing makes a call with a context that is ctx until the call returns.
func releasing[Req, Resp any](ctx context.Context, req Req, call func(context.Context, Req) (Resp, error)) (Resp, error) {
	rc := newReleasableContext(ctx)
	defer rc.release()
	return call(rc, req)
}

// releasableContext is a context that is its parent until it is released, and an
// ended context without values afterwards, so that nothing that still holds it holds
// the parent.
type releasableContext struct {
	parent atomic.Pointer[context.Context]
}

// releasedContext is what a releasableContext is once released: ended, with no values.
var releasedContext = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

func newReleasableContext(parent context.Context) *releasableContext {
	rc := &releasableContext{}
	rc.parent.Store(&parent)
	return rc
}

func (rc *releasableContext) release() { rc.parent.Store(&releasedContext) }

func (rc *releasableContext) current() context.Context { return *rc.parent.Load() }

func (rc *releasableContext) Deadline() (time.Time, bool) { return rc.current().Deadline() }
func (rc *releasableContext) Done() <-chan struct{}       { return rc.current().Done() }
func (rc *releasableContext) Err() error                  { return rc.current().Err() }
func (rc *releasableContext) Value(key any) any           { return rc.current().Value(key) }
