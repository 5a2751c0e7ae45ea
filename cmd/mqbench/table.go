package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rocketgo/rocketgo/cmd/mqbench/internal/report"
)

// runTable is `mqbench table report.json...`: one markdown row per --json
// report, the results table of `make bench-e2e`.
func runTable(files []string, stdout io.Writer) error {
	if len(files) == 0 {
		return fmt.Errorf("%w: mqbench table <report.json>...", errUsage)
	}
	var rows []*report.Summary
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("read report: %w", err)
		}
		var s report.Summary
		if err := json.Unmarshal(data, &s); err != nil {
			return fmt.Errorf("report %s: %w", f, err)
		}
		rows = append(rows, &s)
	}
	_, err := io.WriteString(stdout, markdownTable(rows))
	return err
}

func sizeLabel(n int) string {
	if n >= 1024 && n%1024 == 0 {
		return fmt.Sprintf("%d KiB", n/1024)
	}
	return fmt.Sprintf("%d B", n)
}

func msCell(us int64) string { return fmt.Sprintf("%.2f", float64(us)/1000) }

// markdownTable renders the reports as a GitHub markdown table.
func markdownTable(rows []*report.Summary) string {
	var b strings.Builder
	b.WriteString("| body | producers | in flight | send msg/s | send MB/s | send p50 ms | send p99 ms | send p99.9 ms | send max ms | e2e p50 ms | e2e p99 ms | e2e p99.9 ms | e2e max ms | sent | acked | consumed | errors | broker peak RSS MiB (anon) |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|\n")
	for _, s := range rows {
		send := []string{"-", "-", "-", "-"}
		if l := s.SendLatencyUs; l != nil {
			send = []string{msCell(l.P50), msCell(l.P99), msCell(l.P999), msCell(l.Max)}
		}
		e2e := []string{"-", "-", "-", "-"}
		if l := s.E2ELatencyUs; l != nil {
			e2e = []string{msCell(l.P50), msCell(l.P99), msCell(l.P999), msCell(l.Max)}
		}
		rss := "-"
		if s.BrokerPeakRSSKiB > 0 {
			rss = fmt.Sprintf("%.1f (%.1f)", float64(s.BrokerPeakRSSKiB)/1024, float64(s.BrokerPeakAnonKiB)/1024)
		}
		errs := report.FormatErrors(s.Errors)
		fmt.Fprintf(&b, "| %s | %d | %d | %.0f | %.2f | %s | %s | %d | %d | %d | %s | %s |\n",
			sizeLabel(s.MessageSize), s.Workers, s.Inflight, s.SendTPS, s.SendMBps,
			strings.Join(send, " | "), strings.Join(e2e, " | "), s.Sent, s.Acked, s.Consumed, errs, rss)
	}
	return b.String()
}
