package plugin

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// Releasing is server, unchanged but for one thing: the context of each call on one
// resource, data source, list resource or ephemeral resource is released when the call
// returns. The provider serves providerserver.NewProtocol6's server through it.
//
// terraform-plugin-framework keeps the context of every call until the provider is
// stopped (so that StopProvider can cancel them all), and with each context the
// call's loggers and request-scoped values: some 40 KB for each resource of a plan,
// kept to the end of the process, so a provider process planning 10,000 resources
// would hold 400 MB it never uses again. Behind Releasing, what the framework keeps
// is an empty shell per call.
//
// server must serve list resources (tfprotov6.ListResourceServer), as the framework's
// does: Releasing panics if it does not, since Terraform's query calls would then find
// no method to call.
func Releasing(server tfprotov6.ProviderServer) tfprotov6.ProviderServer {
	lists, ok := server.(tfprotov6.ListResourceServer)
	if !ok {
		panic(fmt.Sprintf("plugin.Releasing: the provider server %T does not serve list resources", server))
	}
	return releasingServer{server, lists}
}

// releasingServer passes every call to the server it wraps, and the calls whose
// request names a resource, data source, list resource or ephemeral resource type
// (those made once per resource), but ListResource, with a context that lets go of the
// call's own when the call returns. TestReleasingServerReleasesEveryCallOnAType finds those calls in
// terraform-plugin-go's interfaces, so that a new one cannot be passed on unreleased
// unnoticed.
type releasingServer struct {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
}

func (s releasingServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return callReleasing(ctx, req, s.ProviderServer.ValidateResourceConfig)
}

func (s releasingServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return callReleasing(ctx, req, s.ProviderServer.UpgradeResourceState)
}

func (s releasingServer) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return callReleasing(ctx, req, s.ProviderServer.UpgradeResourceIdentity)
}

func (s releasingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return callReleasing(ctx, req, s.ProviderServer.ReadResource)
}

func (s releasingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return callReleasing(ctx, req, s.ProviderServer.PlanResourceChange)
}

func (s releasingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return callReleasing(ctx, req, s.ProviderServer.ApplyResourceChange)
}

func (s releasingServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return callReleasing(ctx, req, s.ProviderServer.ImportResourceState)
}

func (s releasingServer) MoveResourceState(ctx context.Context, req *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return callReleasing(ctx, req, s.ProviderServer.MoveResourceState)
}

func (s releasingServer) GenerateResourceConfig(ctx context.Context, req *tfprotov6.GenerateResourceConfigRequest) (*tfprotov6.GenerateResourceConfigResponse, error) {
	return callReleasing(ctx, req, s.ProviderServer.GenerateResourceConfig)
}

func (s releasingServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return callReleasing(ctx, req, s.ProviderServer.ValidateDataResourceConfig)
}

func (s releasingServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return callReleasing(ctx, req, s.ProviderServer.ReadDataSource)
}

func (s releasingServer) ValidateEphemeralResourceConfig(ctx context.Context, req *tfprotov6.ValidateEphemeralResourceConfigRequest) (*tfprotov6.ValidateEphemeralResourceConfigResponse, error) {
	return callReleasing(ctx, req, s.ProviderServer.ValidateEphemeralResourceConfig)
}

func (s releasingServer) OpenEphemeralResource(ctx context.Context, req *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	return callReleasing(ctx, req, s.ProviderServer.OpenEphemeralResource)
}

func (s releasingServer) RenewEphemeralResource(ctx context.Context, req *tfprotov6.RenewEphemeralResourceRequest) (*tfprotov6.RenewEphemeralResourceResponse, error) {
	return callReleasing(ctx, req, s.ProviderServer.RenewEphemeralResource)
}

func (s releasingServer) CloseEphemeralResource(ctx context.Context, req *tfprotov6.CloseEphemeralResourceRequest) (*tfprotov6.CloseEphemeralResourceResponse, error) {
	return callReleasing(ctx, req, s.ProviderServer.CloseEphemeralResource)
}

func (s releasingServer) ValidateListResourceConfig(ctx context.Context, req *tfprotov6.ValidateListResourceConfigRequest) (*tfprotov6.ValidateListResourceConfigResponse, error) {
	return callReleasing(ctx, req, s.ListResourceServer.ValidateListResourceConfig)
}

// ListResource is passed on as it is: it answers with a stream, which tf6server reads
// after ListResource has returned and which uses the call's context, so that context
// must outlive the call.

// callReleasing makes a call with a context that is ctx until the call returns.
func callReleasing[Req, Resp any](ctx context.Context, req Req, call func(context.Context, Req) (Resp, error)) (Resp, error) {
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
