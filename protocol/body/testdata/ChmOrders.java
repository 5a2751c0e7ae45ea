// Generates chm-orders.txt.gz beside it: scripted operations on
// java.util.concurrent.ConcurrentHashMap and the iteration order the JDK
// produced at each checkpoint, replayed by TestMapOrderMatchesJDK.
//   "# name kind capacity"  a new map (kind s = String keys, i = Integer
//                           keys; capacity 0 = no-argument constructor)
//   "+ k" / "- k"           put / remove
//   "* k1 k2 ..."           putAll of a no-argument map filled in this order
//   "= k1 k2 ..."           the map's iteration order at this point
// Run (JDK 17): java ChmOrders.java | gzip -9 > chm-orders.txt.gz
import java.util.*;
import java.util.concurrent.ConcurrentHashMap;

public class ChmOrders {
    static final String ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_%-";
    static StringBuilder out = new StringBuilder();

    interface Keys<K> { K next(Random r); }

    static String randName(Random r) {
        int len = 3 + r.nextInt(20);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i++) sb.append(ALPHA.charAt(r.nextInt(ALPHA.length())));
        return sb.toString();
    }

    // all strings of `blocks` blocks of "Aa"/"BB" share one hashCode
    static List<String> colliding(int blocks) {
        List<String> l = new ArrayList<>();
        for (int m = 0; m < (1 << blocks); m++) {
            StringBuilder sb = new StringBuilder("c");
            for (int b = 0; b < blocks; b++) sb.append(((m >> b) & 1) == 0 ? "Aa" : "BB");
            l.add(sb.toString());
        }
        return l;
    }

    static <K> void checkpoint(Map<K, Boolean> m) {
        out.append('=');
        for (K k : m.keySet()) out.append(' ').append(k);
        out.append('\n');
    }

    static <K> ConcurrentHashMap<K, Boolean> make(int cap) {
        return cap <= 0 ? new ConcurrentHashMap<>() : new ConcurrentHashMap<>(cap);
    }

    static <K> void put(Map<K, Boolean> m, K k) { m.put(k, true); out.append("+ ").append(k).append('\n'); }
    static <K> void del(Map<K, Boolean> m, K k) { m.remove(k); out.append("- ").append(k).append('\n'); }

    static <K> void putAll(Map<K, Boolean> m, List<K> src) {
        ConcurrentHashMap<K, Boolean> s = new ConcurrentHashMap<>();
        out.append('*');
        for (K k : src) { s.put(k, true); out.append(' ').append(k); }
        out.append('\n');
        m.putAll(s);
    }

    // random puts and removes over a growing key pool
    static <K> void randomOps(String name, String kind, int cap, int ops, int every, double removeRatio, Random r, Keys<K> gen) {
        out.append("# ").append(name).append(' ').append(kind).append(' ').append(cap).append('\n');
        ConcurrentHashMap<K, Boolean> m = make(cap);
        List<K> live = new ArrayList<>();
        for (int i = 1; i <= ops; i++) {
            if (!live.isEmpty() && r.nextDouble() < removeRatio) {
                K k = live.remove(r.nextInt(live.size()));
                del(m, k);
            } else if (!live.isEmpty() && r.nextDouble() < 0.1) {
                put(m, live.get(r.nextInt(live.size()))); // replace keeps the position
            } else {
                K k = gen.next(r);
                if (!m.containsKey(k)) live.add(k);
                put(m, k);
            }
            if (i % every == 0) checkpoint(m);
        }
        checkpoint(m);
    }

    public static void main(String[] args) {
        Random r = new Random(20261121L);

        // 1. the fixture broker's topic table: system topics, then topics.json put over them
        out.append("# fixture-topics s 1024\n");
        ConcurrentHashMap<String, Boolean> t = make(1024);
        for (String k : new String[] {"SELF_TEST_TOPIC", "TBW102", "BenchmarkTest", "DefaultCluster", "broker-a",
            "OFFSET_MOVED_EVENT", "SCHEDULE_TOPIC_XXXX", "DefaultCluster_REPLY_TOPIC"}) put(t, k);
        putAll(t, Arrays.asList("SCHEDULE_TOPIC_XXXX", "SELF_TEST_TOPIC", "%RETRY%FixtureGroup", "DefaultCluster",
            "DefaultCluster_REPLY_TOPIC", "FixtureTopic", "RMQ_SYS_TRANS_HALF_TOPIC", "FillTopic", "broker-a",
            "TBW102", "BenchmarkTest", "OFFSET_MOVED_EVENT"));
        checkpoint(t);

        randomOps("strings-1024", "s", 1024, 2600, 650, 0.1, r, ChmOrders::randName);
        randomOps("strings-512", "s", 512, 1200, 300, 0.15, r, ChmOrders::randName);
        randomOps("strings-noarg", "s", 0, 600, 60, 0.1, r, ChmOrders::randName);
        randomOps("strings-noarg-small", "s", 0, 60, 1, 0.2, r, ChmOrders::randName);
        randomOps("ints-32", "i", 32, 1200, 100, 0.05, r, rr -> rr.nextInt(2048));
        randomOps("ints-noarg", "i", 0, 400, 10, 0.1, r, rr -> rr.nextInt(5000));
        randomOps("ints-noarg-dense", "i", 0, 300, 10, 0.0, r, rr -> rr.nextInt(300));

        // 2. ascending queue ids, as a consumer commits them
        out.append("# ints-ascending i 32\n");
        ConcurrentHashMap<Integer, Boolean> q = make(32);
        for (int i = 0; i < 1024; i++) { put(q, i); if (i % 250 == 0) checkpoint(q); }
        checkpoint(q);

        // 3. many keys with one hashCode: bin growth, tryPresize from treeifyBin, tree bins
        out.append("# collide-noarg s 0\n");
        ConcurrentHashMap<String, Boolean> c = make(0);
        List<String> col = colliding(5);
        for (int i = 0; i < col.size(); i++) { put(c, col.get(i)); checkpoint(c); }
        for (int i = 0; i < 40; i++) put(c, randName(r));
        checkpoint(c);
        out.append("# collide-1024 s 1024\n");
        ConcurrentHashMap<String, Boolean> c2 = make(1024);
        for (int i = 0; i < 20; i++) { put(c2, col.get(i)); checkpoint(c2); }
        for (int i = 0; i < 1600; i++) put(c2, "k" + i);
        checkpoint(c2);
        for (int i = 20; i < col.size(); i++) put(c2, col.get(i));
        checkpoint(c2);

        // removals from a tree bin, then more keys into it
        out.append("# collide-remove s 1024\n");
        ConcurrentHashMap<String, Boolean> c3 = make(1024);
        List<String> col6 = colliding(6);
        for (int i = 0; i < 24; i++) put(c3, col6.get(i));
        checkpoint(c3);
        List<String> in = new ArrayList<>(col6.subList(0, 24));
        int next = 24;
        for (int round = 0; round < 60; round++) {
            if (!in.isEmpty() && (r.nextInt(3) != 0 || next >= col6.size())) {
                del(c3, in.remove(r.nextInt(in.size())));
            } else {
                in.add(col6.get(next));
                put(c3, col6.get(next++));
            }
            checkpoint(c3);
        }

        // 4. putAll into a fresh and into a filled map (tryPresize)
        out.append("# putall-noarg s 0\n");
        ConcurrentHashMap<String, Boolean> p = make(0);
        List<String> src = new ArrayList<>();
        for (int i = 0; i < 3; i++) src.add(randName(r));
        putAll(p, src);
        checkpoint(p);
        src.clear();
        for (int i = 0; i < 100; i++) src.add(randName(r));
        putAll(p, src);
        checkpoint(p);
        out.append("# putall-1024 s 1024\n");
        ConcurrentHashMap<String, Boolean> p2 = make(1024);
        for (int i = 0; i < 50; i++) put(p2, randName(r));
        src.clear();
        for (int i = 0; i < 1800; i++) src.add(randName(r));
        putAll(p2, src);
        checkpoint(p2);

        System.out.print(out);
    }
}
