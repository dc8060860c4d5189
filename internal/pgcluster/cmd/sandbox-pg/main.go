// Command sandbox-pg is make sandbox-pg: sandbox replicas that share one
// PostgreSQL database, as replicas behind a load balancer do. It starts the
// cluster kept in .sandbox/pg (made on the first run), creates the database
// appxchange, starts an appxchange-sandbox on each address of -listen, says
// how to use them, and stops the replicas, then the cluster, on Ctrl-C or
// SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/appxchange/terraform-provider-appxchange/internal/pgcluster"
	"github.com/appxchange/terraform-provider-appxchange/internal/sandbox"
)

// database is the one database the replicas share.
const database = "appxchange"

// listeningPrefix starts the sandbox's first line on stdout; its address follows.
const listeningPrefix = "appxchange sandbox listening on "

// replicaStartTimeout bounds the wait for a replica's first line: it opens the
// database and applies the seed first.
const replicaStartTimeout = time.Minute

// replicaStopTimeout is how long a replica may take to stop before it is killed.
const replicaStopTimeout = 15 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the command: it returns once ctx is done or a replica has exited.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sandbox-pg", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", ".sandbox/pg", "the PostgreSQL cluster's directory, kept for the next run; the replicas' logs go there too")
	sandboxBin := fs.String("sandbox", "bin/appxchange-sandbox", "the appxchange-sandbox binary (make sandbox-pg builds it)")
	listen := fs.String("listen", "127.0.0.1:8091,127.0.0.1:8092", "comma-separated addresses: one replica on each")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	addrs := strings.Split(*listen, ",")
	if fs.NArg() > 0 || slices.Contains(addrs, "") {
		fmt.Fprintln(stderr, "sandbox-pg: usage: sandbox-pg [-dir DIR] [-sandbox BINARY] [-listen HOST:PORT,HOST:PORT...]")
		return 2
	}
	if err := serve(ctx, *dir, *sandboxBin, addrs, stdout); err != nil {
		fmt.Fprintf(stderr, "sandbox-pg: %v\n", err)
		return 1
	}
	return 0
}

// serve runs the cluster and the replicas until ctx is done, then stops them:
// the replicas first, while their database still answers.
func serve(ctx context.Context, dir, sandboxBin string, addrs []string, stdout io.Writer) (err error) {
	seed, err := sandbox.BuiltinSeed()
	if err != nil {
		return err
	}
	cluster, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Fsync: true})
	if err != nil {
		return err
	}
	defer func() {
		stopErr := cluster.Stop()
		if stopErr == nil {
			fmt.Fprintln(stdout, "sandbox-pg: PostgreSQL stopped")
		}
		err = errors.Join(err, stopErr)
	}()
	if err := cluster.CreateDatabase(ctx, database); err != nil && !errors.Is(err, pgcluster.ErrDatabaseExists) {
		return err
	}
	url := cluster.URL(database)

	exited := make(chan error, len(addrs))
	var replicas []*replica
	defer func() {
		for _, r := range replicas {
			err = errors.Join(err, r.stop())
		}
		if len(replicas) > 0 {
			fmt.Fprintln(stdout, "sandbox-pg: the replicas stopped")
		}
	}()
	// One after the other: each replica prepares the database before it listens.
	for i, addr := range addrs {
		r, err := startReplica(sandboxBin, addr, url, filepath.Join(cluster.Dir(), fmt.Sprintf("replica-%d.log", i+1)), exited)
		if err != nil {
			return err
		}
		replicas = append(replicas, r)
		if err := r.waitListening(ctx); err != nil {
			return err
		}
	}
	howTo(stdout, cluster, url, replicas, seed.Tokens)

	select {
	case <-ctx.Done():
		return nil
	case err := <-exited:
		if ctx.Err() != nil {
			// The terminal's Ctrl-C reaches the replicas too.
			return nil
		}
		return fmt.Errorf("a replica stopped on its own: %w", err)
	}
}

// howTo says where everything is, and how to use it with the seed's tokens.
func howTo(w io.Writer, cluster *pgcluster.Cluster, url string, replicas []*replica, tokens []sandbox.SeedToken) {
	fmt.Fprintf(w, "sandbox-pg: PostgreSQL at %s (the cluster in %s, kept for the next run)\n", url, cluster.Dir())
	for i, r := range replicas {
		fmt.Fprintf(w, "sandbox-pg: replica %d at %s (its log: %s)\n", i+1, r.url, r.logPath)
	}
	fmt.Fprintf(w, "sandbox-pg: they share the database %s: what one replica writes, the others read\n", database)
	for _, t := range tokens {
		fmt.Fprintf(w, "sandbox-pg: token %s: %s of the account %s\n", t.Token, t.UserID, t.AccountID)
	}
	first, last, token := replicas[0].url, replicas[len(replicas)-1].url, tokens[0].Token
	fmt.Fprintf(w, "sandbox-pg: the web console: %s/ (sign in with a token)\n", first)
	fmt.Fprintf(w, "sandbox-pg: the API: curl -H 'Authorization: Bearer %s' %s/management/v1/connectors\n", token, last)
	fmt.Fprintf(w, "sandbox-pg: the provider: APPXCHANGE_BASE_URL=%s/management/v1 APPXCHANGE_ACCESS_TOKEN=%s terraform apply\n", first, token)
	fmt.Fprintln(w, "sandbox-pg: Ctrl-C stops the replicas and PostgreSQL")
}
