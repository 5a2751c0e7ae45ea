package main

import (
	"github.com/rocketgo/rocketgo/cmd/mqadmin/internal/admin"
)

// getBrokerConfigCmd is Java's GetBrokerConfigCommand.
func getBrokerConfigCmd() *command {
	return &command{
		name: "getBrokerConfig",
		desc: "Get broker config by cluster or special broker!",
		opts: []option{
			{short: "b", long: "brokerAddr", hasArg: true, desc: "get which broker"},
			{short: "c", long: "clusterName", hasArg: true, desc: "get which cluster"},
		},
		run: runGetBrokerConfig,
	}
}

type configJSON struct {
	Addr   string            `json:"addr"`
	Master string            `json:"master,omitempty"`
	Config map[string]string `json:"config"`
}

func runGetBrokerConfig(c *cmdCtx) error {
	type target struct{ title, addr, master string }
	var targets []target
	switch {
	case c.opts.has("b"):
		addr := c.opts.value("b")
		targets = append(targets, target{"============" + addr + "============\n", addr, ""})
	case c.opts.has("c"):
		ci, err := c.admin().ClusterInfo(c.ctx)
		if err != nil {
			return err
		}
		groups, err := admin.MasterAndSlaves(ci, c.opts.value("c"))
		if err != nil {
			return err
		}
		for _, g := range groups {
			if g.Master != "" {
				targets = append(targets, target{"============Master: " + g.Master + "============\n", g.Master, ""})
			}
			for _, s := range g.Slaves {
				targets = append(targets, target{"============My Master: " + g.Master + "=====Slave: " + s + "============\n", s, g.Master})
			}
		}
	default:
		return &usageError{"getBrokerConfig needs -b brokerAddr or -c clusterName"}
	}
	var out []configJSON
	for _, t := range targets {
		if !c.out.json {
			c.out.printf("%s", t.title)
		}
		props, err := c.admin().BrokerConfig(c.ctx, t.addr)
		if err != nil {
			return err
		}
		out = append(out, configJSON{Addr: t.addr, Master: t.master, Config: props.Map()})
		if c.out.json {
			continue
		}
		printProperties(c, props)
		c.out.printf("\n")
	}
	if c.out.json {
		return c.out.emitJSON(out)
	}
	return nil
}

// printProperties lists a configuration as Java's config commands do,
// "key(padded to 50)=  value", in java.util.Properties order.
func printProperties(c *cmdCtx, p *admin.Properties) {
	for _, k := range p.Keys() {
		v, _ := p.Get(k)
		c.out.printf("%-50s=  %s\n", k, v)
	}
}

// updateBrokerConfigCmd is Java's UpdateBrokerConfigSubCommand.
func updateBrokerConfigCmd() *command {
	return &command{
		name: "updateBrokerConfig",
		desc: "Update broker's config",
		opts: []option{
			{short: "b", long: "brokerAddr", hasArg: true, desc: "update which broker"},
			{short: "c", long: "clusterName", hasArg: true, desc: "update which cluster"},
			{short: "k", long: "key", hasArg: true, required: true, desc: "config key"},
			{short: "v", long: "value", hasArg: true, required: true, desc: "config value"},
		},
		run: runUpdateBrokerConfig,
	}
}

func runUpdateBrokerConfig(c *cmdCtx) error {
	props := map[string]string{c.opts.value("k"): c.opts.value("v")}
	var addrs []string
	switch {
	case c.opts.has("b"):
		addrs = []string{c.opts.value("b")}
	case c.opts.has("c"):
		ci, err := c.admin().ClusterInfo(c.ctx)
		if err != nil {
			return err
		}
		if addrs, err = admin.MasterAddrs(ci, c.opts.value("c")); err != nil {
			return err
		}
	default:
		return &usageError{"updateBrokerConfig needs -b brokerAddr or -c clusterName"}
	}
	var res []brokerResultJSON
	for _, addr := range addrs {
		if err := c.admin().UpdateBrokerConfig(c.ctx, addr, props); err != nil {
			if c.opts.has("b") {
				return err
			}
			// Java prints the error and goes on with the next master.
			c.fail(err)
			res = append(res, brokerResultJSON{addr, err.Error()})
			continue
		}
		res = append(res, brokerResultJSON{BrokerAddr: addr})
		if !c.out.json {
			c.out.printf("update broker config success, %s\n", addr)
		}
	}
	if c.out.json {
		return c.out.emitJSON(res)
	}
	return nil
}

// getNamesrvConfigCmd is Java's GetNamesrvConfigCommand.
func getNamesrvConfigCmd() *command {
	return &command{
		name: "getNamesrvConfig",
		desc: "Get configs of name server.",
		run:  runGetNamesrvConfig,
	}
}

func runGetNamesrvConfig(c *cmdCtx) error {
	addrs := c.namesrvAddrs()
	if len(addrs) == 0 {
		return admin.ErrNoNamesrv
	}
	var out []configJSON
	for _, addr := range addrs {
		props, err := c.admin().NamesrvConfig(c.ctx, addr)
		if err != nil {
			return err
		}
		out = append(out, configJSON{Addr: addr, Config: props.Map()})
		if c.out.json {
			continue
		}
		c.out.printf("============%s============\n", addr)
		printProperties(c, props)
	}
	if c.out.json {
		return c.out.emitJSON(out)
	}
	return nil
}

// updateKvConfigCmd is Java's UpdateKvConfigCommand.
func updateKvConfigCmd() *command {
	return &command{
		name: "updateKvConfig",
		desc: "Create or update KV config.",
		opts: []option{
			{short: "s", long: "namespace", hasArg: true, required: true, desc: "set the namespace"},
			{short: "k", long: "key", hasArg: true, required: true, desc: "set the key name"},
			{short: "v", long: "value", hasArg: true, required: true, desc: "set the key value"},
		},
		run: func(c *cmdCtx) error {
			ns, k, v := c.opts.value("s"), c.opts.value("k"), c.opts.value("v")
			if err := c.admin().PutKVConfig(c.ctx, ns, k, v); err != nil {
				return err
			}
			if c.out.json {
				return c.out.emitJSON(struct {
					Namespace string `json:"namespace"`
					Key       string `json:"key"`
					Value     string `json:"value"`
				}{ns, k, v})
			}
			c.out.printf("create or update kv config to namespace success.\n")
			return nil
		},
	}
}

// deleteKvConfigCmd is Java's DeleteKvConfigCommand.
func deleteKvConfigCmd() *command {
	return &command{
		name: "deleteKvConfig",
		desc: "Delete KV config.",
		opts: []option{
			{short: "s", long: "namespace", hasArg: true, required: true, desc: "set the namespace"},
			{short: "k", long: "key", hasArg: true, required: true, desc: "set the key name"},
		},
		run: func(c *cmdCtx) error {
			ns, k := c.opts.value("s"), c.opts.value("k")
			if err := c.admin().DeleteKVConfig(c.ctx, ns, k); err != nil {
				return err
			}
			if c.out.json {
				return c.out.emitJSON(struct {
					Namespace string `json:"namespace"`
					Key       string `json:"key"`
					Deleted   bool   `json:"deleted"`
				}{ns, k, true})
			}
			c.out.printf("delete kv config from namespace success.\n")
			return nil
		},
	}
}

// wipeWritePermCmd is Java's WipeWritePermSubCommand.
func wipeWritePermCmd() *command {
	return &command{
		name: "wipeWritePerm",
		desc: "Wipe write perm of broker in all name server you defined in the -n param",
		opts: []option{{short: "b", long: "brokerName", hasArg: true, required: true, desc: "broker name"}},
		run:  runWipeWritePerm,
	}
}

func runWipeWritePerm(c *cmdCtx) error {
	name := c.opts.value("b")
	addrs := c.namesrvAddrs()
	if len(addrs) == 0 {
		return admin.ErrNoNamesrv
	}
	type resJSON struct {
		Namesrv        string `json:"namesrvAddr"`
		WipeTopicCount int    `json:"wipeTopicCount"`
		Error          string `json:"error,omitempty"`
	}
	var out []resJSON
	for _, ns := range addrs {
		n, err := c.admin().WipeWritePerm(c.ctx, ns, name)
		if err != nil {
			c.fail(err)
			out = append(out, resJSON{Namesrv: ns, Error: err.Error()})
			if !c.out.json {
				c.out.printf("wipe write perm of broker[%s] in name server[%s] Failed\n", name, ns)
			}
			continue
		}
		out = append(out, resJSON{Namesrv: ns, WipeTopicCount: n})
		if !c.out.json {
			c.out.printf("wipe write perm of broker[%s] in name server[%s] OK, %d\n", name, ns, n)
		}
	}
	if c.out.json {
		return c.out.emitJSON(struct {
			BrokerName string    `json:"brokerName"`
			Results    []resJSON `json:"results"`
		}{name, out})
	}
	return nil
}
