// Package compat holds end-to-end tests that drive rocketgo with the real
// github.com/apache/rocketmq-client-go/v2 (v2.1.2): compatibility is
// measured with a client we did not write.
package compat
