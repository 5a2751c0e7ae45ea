// Command pullprobe drives rocketmq-client-go's pull consumer against a
// rocketgo NameServer and prints what it pulled as JSON lines. The compat
// tests run it as a separate process because the client's pull consumer
// has a data race of its own (pull writes consumerGroup while its
// rebalance goroutine reads it, v2.1.2 pull_consumer.go:437) that would
// fail a -race test binary regardless of the server.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/rlog"
)

// Pull is one PullFrom result.
type Pull struct {
	Status    int      `json:"status"` // primitive.PullStatus: 0 found, 1 no new message
	Next      int64    `json:"next"`
	Max       int64    `json:"max"`
	Bodies    []string `json:"bodies"`
	Offsets   []int64  `json:"offsets"`
	ElapsedMS int64    `json:"elapsedMs"`
	Err       string   `json:"err,omitempty"`
}

func main() {
	namesrv := flag.String("namesrv", "", "NameServer address")
	topic := flag.String("topic", "", "topic")
	brokerName := flag.String("broker-name", "", "broker name")
	group := flag.String("group", "pullprobe", "consumer group")
	flag.Parse()
	rlog.SetLogLevel("error")

	pc, err := consumer.NewPullConsumer(
		consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{*namesrv})),
		consumer.WithGroupName(*group),
	)
	if err == nil {
		err = pc.Subscribe(*topic, consumer.MessageSelector{Type: consumer.TAG, Expression: "*"})
	}
	if err == nil {
		err = pc.Start()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer func() { _ = pc.Shutdown() }()
	mq := &primitive.MessageQueue{Topic: *topic, BrokerName: *brokerName, QueueId: 0}
	enc := json.NewEncoder(os.Stdout)
	// Each line of stdin is "offset count": pull and print.
	var off int64
	var n int
	for {
		if _, err := fmt.Scan(&off, &n); err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		start := time.Now()
		res, err := pc.PullFrom(ctx, mq, off, n)
		cancel()
		out := Pull{ElapsedMS: time.Since(start).Milliseconds()}
		if err != nil {
			out.Err = err.Error()
		} else {
			out.Status = int(res.Status)
			out.Next, out.Max = res.NextBeginOffset, res.MaxOffset
			for _, m := range res.GetMessageExts() {
				out.Bodies = append(out.Bodies, string(m.Body))
				out.Offsets = append(out.Offsets, m.QueueOffset)
			}
		}
		_ = enc.Encode(out)
	}
}
