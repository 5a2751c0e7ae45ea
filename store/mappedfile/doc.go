// Package mappedfile keeps a directory of fixed-size, memory-mapped files
// that together form one logical byte space, as Java's MappedFile and
// MappedFileQueue do for the commitlog and every consume queue.
//
// # On disk
//
// Every file is exactly FileSize bytes (created at full size, zeros until
// written) and named by the logical offset of its first byte as 20 decimal
// digits, so consecutive files differ by exactly FileSize:
//
//	00000000000000000000
//	00000000001073741824
//
// The Java broker refuses to start when a file's length differs from the
// configured size, so Load does too, and every file this package creates
// has the full length.
//
// # Concurrency
//
// One writer appends (the commitlog's append lock or the dispatcher). Any
// number of readers read the bytes below a file's wrote position, which the
// writer publishes with an atomic store after copying, so a reader never
// sees a half-copied record. Files leave the queue (retention, truncation)
// only once no reader holds them: Hold/Release count readers and the
// mapping is released by the last one.
package mappedfile
