// Command mqadmin is rocketgo's admin tool, a Go counterpart of Apache
// RocketMQ 4.9.7's mqadmin (tools module, MQAdminStartup): the same
// sub-command names, options and text layout, so scripts written against
// the Java tool keep working, against rocketgo or a Java cluster alike.
// Every sub-command also takes --json for machine-readable output.
//
// Unlike Java's, a failed command prints what failed (the NameServer or
// broker address, the request, the response code and remark) and exits
// with status 1.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/rocketgo/rocketgo/cmd/mqadmin/internal/admin"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, now: time.Now, loc: time.Local})
	stop()
	os.Exit(code)
}

// env is what a run needs from the process; tests substitute buffers, a
// fixed clock and UTC.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time
	loc            *time.Location
	// timeout bounds each remote call (0: the admin default, 5 s).
	timeout time.Duration
	// bodyDir is where queryMsgById writes message bodies (Java's
	// /tmp/rocketmq/msgbodys).
	bodyDir string
}

// command is one sub-command (Java SubCommand): its name, Java's
// description, its options and what it does.
type command struct {
	name string
	desc string
	opts []option
	run  func(c *cmdCtx) error
}

// commands lists the sub-commands in the order Java's
// MQAdminStartup.initCommand registers them, which is the order of the
// command list.
func commands() []*command {
	return []*command{
		updateTopicCmd(),
		deleteTopicCmd(),
		updateSubGroupCmd(),
		deleteSubGroupCmd(),
		updateBrokerConfigCmd(),
		topicRouteCmd(),
		topicStatusCmd(),
		brokerStatusCmd(),
		queryMsgByIDCmd(),
		queryMsgByKeyCmd(),
		queryMsgByUniqueKeyCmd(),
		queryMsgByOffsetCmd(),
		printMsgCmd(),
		producerConnectionCmd(),
		consumerConnectionCmd(),
		consumerProgressCmd(),
		clusterListCmd(),
		topicListCmd(),
		updateKvConfigCmd(),
		deleteKvConfigCmd(),
		wipeWritePermCmd(),
		resetOffsetByTimeCmd(),
		getNamesrvConfigCmd(),
		getBrokerConfigCmd(),
		sendMessageCmd(),
		consumeMessageCmd(),
	}
}

// findCommand matches a name case-insensitively, as Java does.
func findCommand(cmds []*command, name string) *command {
	for _, c := range cmds {
		if strings.EqualFold(c.name, name) {
			return c
		}
	}
	return nil
}

func (c *command) allOptions() []option { return append(commonOptions(), c.opts...) }

// printCommandList writes Java's printHelp: every command and its
// description.
func printCommandList(w io.Writer, cmds []*command) {
	fmt.Fprintf(w, "The most commonly used mqadmin commands are:\n")
	for _, c := range cmds {
		fmt.Fprintf(w, "   %-20s %s\n", c.name, c.desc)
	}
	fmt.Fprintf(w, "\nSee 'mqadmin help <command>' for more information on a specific command.\n")
}

// run is mqadmin's main: it returns the exit status.
func run(ctx context.Context, args []string, e *env) int {
	cmds := commands()
	if len(args) == 0 {
		printCommandList(e.stdout, cmds)
		return 0
	}
	if len(args) == 2 && args[0] == "help" {
		c := findCommand(cmds, args[1])
		if c == nil {
			fmt.Fprintf(e.stdout, "The sub command %s not exist.\n", args[1])
			return 1
		}
		fmt.Fprint(e.stdout, renderHelp("mqadmin "+c.name, c.allOptions()))
		return 0
	}
	c := findCommand(cmds, args[0])
	if c == nil {
		fmt.Fprintf(e.stdout, "The sub command %s not exist.\n", args[0])
		return 1
	}
	p, err := parseArgs(c.allOptions(), args[1:])
	if err != nil {
		fmt.Fprintf(e.stderr, "mqadmin %s: %v\n", c.name, err)
		fmt.Fprint(e.stdout, renderHelp("mqadmin "+c.name, c.allOptions()))
		return 1
	}
	if p.has("h") {
		fmt.Fprint(e.stdout, renderHelp("mqadmin "+c.name, c.allOptions()))
		return 0
	}
	cc := &cmdCtx{ctx: ctx, cmd: c, opts: p, env: e, out: &output{w: e.stdout, json: p.has("json")}}
	defer cc.close()
	if err := c.run(cc); err != nil {
		var ue *usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(e.stderr, "mqadmin %s: %v\n", c.name, err)
			fmt.Fprint(e.stdout, renderHelp("mqadmin "+c.name, c.allOptions()))
			return 1
		}
		fmt.Fprintf(e.stderr, "mqadmin %s: command failed: %v\n", c.name, err)
		return 1
	}
	if cc.failed != nil {
		fmt.Fprintf(e.stderr, "mqadmin %s: %v\n", c.name, cc.failed)
		return 1
	}
	return 0
}

// cmdCtx is one sub-command's run: its options, output and admin client.
type cmdCtx struct {
	ctx  context.Context
	cmd  *command
	opts *parsed
	env  *env
	out  *output
	adm  *admin.Admin
	// failed collects failures of commands that, like Java's, report a
	// broker's error and go on with the others; any makes the exit
	// status 1.
	failed error
}

// namesrvAddrs is -n, else NAMESRV_ADDR (Java's rocketmq.namesrv.addr
// system property or environment variable).
func (c *cmdCtx) namesrvAddrs() []string {
	if c.opts.has("n") {
		return admin.SplitNamesrvAddrs(c.opts.value("n"))
	}
	return admin.SplitNamesrvAddrs(c.env.getenv("NAMESRV_ADDR"))
}

// admin returns the command's admin client, created on first use.
func (c *cmdCtx) admin() *admin.Admin {
	if c.adm == nil {
		c.adm = admin.New(admin.Config{NamesrvAddrs: c.namesrvAddrs(), Timeout: c.env.timeout})
	}
	return c.adm
}

func (c *cmdCtx) close() {
	if c.adm != nil {
		c.adm.Close()
	}
}

// fail records a failure the command reported and went on from.
func (c *cmdCtx) fail(err error) { c.failed = errors.Join(c.failed, err) }

// now is the clock, in the output time zone.
func (c *cmdCtx) now() time.Time { return c.env.now().In(c.env.loc) }
