// Command mqbench is a load generator for RocketMQ brokers, rocketgo or
// Java alike: the Go counterpart of Java 4.9.7's benchmark Producer and
// Consumer (example/.../benchmark, run by benchmark/producer.sh and
// consumer.sh), with the same single-letter options, plus an end-to-end
// mode and a raw client that can saturate a broker.
//
//	mqbench producer [-n ns] [-t topic] [-w threads] [-s size] [-q count|duration] [--async|--oneway] [--batch n] [--raw] ...
//	mqbench consumer [-n ns] [-t topic] [-g group] [-w threads] [-q count|duration] [--raw] ...
//	mqbench e2e      (producer options) [-g group] [--drain d]
//	mqbench table report.json...
//
// Every second it prints a progress line (msg/s, MB/s, latency
// percentiles from an HDR-style histogram, errors by response code); at the
// end a summary, and with --json a machine-readable report on stdout. See
// docs/BENCH.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/rocketgo/rocketgo/cmd/mqbench/internal/report"
	"github.com/sirupsen/logrus"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage: mqbench producer|consumer|e2e [options]   (mqbench <mode> -h lists them)
       mqbench table report.json...
`

// run is the whole command; it returns the exit status (0 done, 1 failed,
// 2 usage).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	mode, rest := args[0], args[1:]
	switch mode {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	case "table":
		if err := runTable(rest, stdout); err != nil {
			fmt.Fprintf(stderr, "mqbench: %v\n", err)
			if errors.Is(err, errUsage) {
				return 2
			}
			return 1
		}
		return 0
	}
	o, err := parseOptions(mode, rest, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "mqbench: %v\n%s", err, usage)
		return 2
	}
	log := logrus.New()
	log.SetOutput(stderr)
	log.SetLevel(logrus.WarnLevel)

	// Human output goes where the JSON does not.
	human := stdout
	if o.jsonOut {
		human = stderr
	}
	b := newBench(o, human, log.WithField("tool", "mqbench"))
	s, err := b.run(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "mqbench %s: %v\n", o.mode, err)
		return 1
	}
	fmt.Fprint(human, report.FormatSummary(s))
	if o.jsonOut {
		data, err := s.JSON()
		if err != nil {
			fmt.Fprintf(stderr, "mqbench: %v\n", err)
			return 1
		}
		if _, err := stdout.Write(data); err != nil {
			return 1
		}
	}
	return 0
}
