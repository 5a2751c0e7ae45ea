// Package configfile reads and writes the broker's small JSON config files
// (config/topics.json, consumerOffset.json, subscriptionGroup.json,
// delayOffset.json, ...) with the file names and the backup convention of
// Java RocketMQ 4.9.7 (MixAll.string2File / file2String, ConfigManager.load),
// so a store directory moves between a Java and a Go broker unchanged.
//
// Write(X) is crash-safe: at every instant either X or X.bak holds a
// complete file.
//
//  1. The new content goes to X.tmp, which is fsynced.
//  2. If X exists and is not empty, its bytes are copied to X.bak, which is
//     fsynced. (A crash here leaves X intact.)
//  3. X.tmp is renamed over X, and the directory is fsynced so the rename
//     itself survives a power loss.
//
// Java deletes X before the rename and does not fsync; the atomic rename
// keeps the old X until the new one is in place, and the names on disk are
// the same, so either broker reads what the other wrote. A leftover X.tmp
// (a crash before step 3) is never read: X is still the previous complete
// file. It is overwritten by the next Write.
//
// Load(X) reads X; if X is missing or empty, or the caller's parser rejects
// it (LoadWith), X.bak is read instead, with a warning logged. If neither
// file exists the result is "nothing stored" and not an error, as in Java.
// Unlike Java, a corrupt X with no usable X.bak is an error rather than an
// empty start: starting empty would let the next Write replace the only
// copy of the data.
package configfile
