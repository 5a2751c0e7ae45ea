package main

import (
	"context"
	"io"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/broker"
	"github.com/rocketgo/rocketgo/broker/config"
	"github.com/rocketgo/rocketgo/namesrv"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/sirupsen/logrus"
)

func quietLogger() *logrus.Logger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return l
}

// startCluster runs a NameServer and a broker registered with it in this
// process, on free loopback ports, the way cmd/rocketgo wires them, and
// stops both when the test ends. It returns the NameServer address.
func startCluster(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	nsCfg := namesrv.DefaultConfig()
	nsCfg.Logger = quietLogger()
	nsCfg.ListenAddr = "127.0.0.1:0"
	nsCfg.KvConfigPath = filepath.Join(dir, "namesrv", "kvConfig.json")
	ns := namesrv.New(nsCfg)
	if err := ns.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = ns.Shutdown(ctx)
	})

	env := config.SystemEnv()
	env.Hostname, env.LocalAddress, env.HomeDir, env.NamesrvAddr = "mqbench-test", "127.0.0.1", dir, ""
	cfg, _, err := config.LoadWith(env, "", map[string]string{
		"brokerName":                 "broker-bench",
		"namesrvAddr":                ns.Addr(),
		"brokerIP1":                  "127.0.0.1",
		"brokerIP2":                  "127.0.0.1",
		"storePathRootDir":           filepath.Join(dir, "store"),
		"mappedFileSizeCommitLog":    strconv.Itoa(64 << 20),
		"mappedFileSizeConsumeQueue": "600000",
		"maxHashSlotNum":             "10000",
		"maxIndexNum":                "40000",
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := broker.New(cfg, broker.Options{ListenAddr: "127.0.0.1:0", Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = b.Shutdown(ctx)
	})

	// Ready once the broker is registered: TBW102's route names it.
	c := remoting.NewClient(remoting.ClientConfig{Logger: quietLogger()})
	defer c.Close()
	adm := &admin{c: c, namesrv: []string{ns.Addr()}, timeout: 2 * time.Second}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if r, err := adm.route(context.Background(), "TBW102"); err == nil && len(r.BrokerDatas) > 0 {
			return ns.Addr()
		}
		if time.Now().After(deadline) {
			t.Fatal("broker not registered with the NameServer after 10 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
