package harness;

import java.io.*;
import java.lang.reflect.*;
import java.util.*;
import org.apache.rocketmq.common.BrokerConfig;
import org.apache.rocketmq.remoting.netty.*;
import org.apache.rocketmq.store.config.*;

// Test-fixture generator: loads a properties file into the four Java config
// objects by setter name, applies the BrokerStartup post-load rules and
// prints every non-static field as name=value.
public class Dump {
  static void load(Properties p, Object o) {
    for (Method m : o.getClass().getMethods()) {
      String n = m.getName();
      if (!n.startsWith("set") || n.length() < 4) continue;
      String key = n.substring(3, 4).toLowerCase() + n.substring(4);
      String v = p.getProperty(key);
      if (v == null || m.getParameterCount() != 1) continue;
      String t = m.getParameterTypes()[0].getSimpleName();
      try {
        Object a;
        switch (t) {
          case "int": a = Integer.parseInt(v); break;
          case "long": a = Long.parseLong(v); break;
          case "boolean": a = Boolean.parseBoolean(v); break;
          case "String": a = v; break;
          default: continue;
        }
        m.invoke(o, a);
      } catch (Throwable ignored) { }
    }
  }
  static void print(PrintStream out, Object o) throws Exception {
    for (Field f : o.getClass().getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) || f.getName().startsWith("this")) continue;
      f.setAccessible(true);
      Object v = f.get(o);
      out.println(f.getName() + "=" + (v == null ? "" : v));
    }
  }
  public static void main(String[] args) throws Exception {
    BrokerConfig b = new BrokerConfig();
    NettyServerConfig s = new NettyServerConfig();
    NettyClientConfig c = new NettyClientConfig();
    s.setListenPort(10911);
    MessageStoreConfig m = new MessageStoreConfig();
    if (args.length > 0) {
      Properties p = new Properties();
      try (InputStream in = new BufferedInputStream(new FileInputStream(args[0]))) { p.load(in); }
      load(p, b); load(p, s); load(p, c); load(p, m);
    }
    switch (m.getBrokerRole()) {
      case ASYNC_MASTER: case SYNC_MASTER: b.setBrokerId(0); break;
      case SLAVE: if (b.getBrokerId() <= 0) { System.out.println("Slave's brokerId must be > 0"); System.exit(3); } break;
    }
    m.setHaListenPort(s.getListenPort() + 1);
    print(System.out, b); print(System.out, s); print(System.out, c); print(System.out, m);
  }
}
