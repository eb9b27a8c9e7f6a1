package main

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/luasock/luasock/internal/testprog"
)

// TestKeyLogDecryptsRealCapture: with SSLKEYLOGFILE set, a real capture of
// a TLS exchange (dumpcap on the loopback interface, as tcpdump would make
// it) is decrypted by tshark with the file luasock wrote, and not without.
func TestKeyLogDecryptsRealCapture(t *testing.T) {
	testprog.Need(t, "dumpcap", "tshark")
	testprog.Need(t, "tshark", "tshark")
	dir := t.TempDir()
	certFile, key := writeSelfSigned(t, dir)

	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{key}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	go func() { // an echo of one line
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		line, _ := bufio.NewReader(c).ReadString('\n')
		c.Write([]byte(line))
	}()

	capture := filepath.Join(dir, "real.pcapng")
	stop := startCapture(t, capture, port)
	keys := filepath.Join(dir, "keys.log")
	t.Setenv(keyLogEnv, keys)
	r := runMain("run", "../../examples/tls_client.lua", "tls://127.0.0.1:"+port, certFile, "a secret line")
	stop()
	r.WantStatus(t, 0)
	if r.Stdout != "connected with TLSv1.3\na secret line\n" {
		r.Fatalf(t, "want the TLS version, then the echoed line")
	}
	logged, err := os.ReadFile(keys)
	if err != nil || !strings.Contains(string(logged), "CLIENT_TRAFFIC_SECRET_0 ") {
		t.Fatalf("%s: %v\n%s", keys, err, logged)
	}

	follow := func(opts ...string) string {
		args := append(opts, "-r", capture, "-q", "-z", "follow,tls,ascii,0")
		got, err := exec.Command("tshark", args...).Output()
		if err != nil {
			t.Fatalf("tshark %s: %v", strings.Join(args, " "), err)
		}
		return string(got)
	}
	if got := follow(); strings.Contains(got, "a secret line") {
		t.Fatalf("the capture shows the plaintext without the keys:\n%s", got)
	}
	if got := follow("-o", "tls.keylog_file:"+keys); strings.Count(got, "a secret line") != 2 {
		t.Fatalf("with the keys, tshark does not show the line both ways:\n%s", got)
	}
}

// startCapture runs dumpcap on the loopback interface into file, for TCP
// port, and returns once it captures; stop ends it once the file holds
// every packet sent before. It skips the test where this machine does
// not let the test capture (not root, no CAP_NET_RAW).
func startCapture(t *testing.T, file, port string) (stop func()) {
	// A port nobody listens on: a connect there is the capture's last
	// packets, and once they are in the file so is everything before.
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sentinel := closed.Addr().String()
	closed.Close()
	_, sentinelPort, _ := net.SplitHostPort(sentinel)
	cmd := exec.Command("dumpcap", "-i", "lo", "-f", "tcp port "+port+" or tcp port "+sentinelPort, "-w", file)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan error, 1)
	go func() {
		var said strings.Builder
		lines := bufio.NewScanner(stderr)
		for lines.Scan() {
			said.WriteString(lines.Text() + "\n")
			if strings.HasPrefix(lines.Text(), "File: ") { // dumpcap has opened the interface
				ready <- nil
				io.Copy(io.Discard, stderr)
				return
			}
		}
		ready <- errors.New(said.String())
	}()
	select {
	case err := <-ready:
		if err != nil {
			cmd.Wait()
			if strings.Contains(err.Error(), "ermission") {
				t.Skipf("dumpcap may not capture here (needs root or CAP_NET_RAW): %v", err)
			}
			t.Fatalf("dumpcap: %v", err)
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("dumpcap did not start capturing within 20 s")
	}
	return func() {
		defer cmd.Wait()
		defer cmd.Process.Signal(os.Interrupt)
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			if c, err := net.Dial("tcp", sentinel); err == nil { // refused, unless the port was taken since
				c.Close()
			}
			got, _ := exec.Command("tshark", "-r", file, "-Y", "tcp.port == "+sentinelPort).Output()
			if len(bytes.TrimSpace(got)) > 0 {
				return
			}
		}
		t.Errorf("dumpcap did not write the sentinel's packets within 20 s")
	}
}

// writeSelfSigned writes a certificate for 127.0.0.1 to dir/cert.pem and
// returns its path and the key pair.
func writeSelfSigned(t *testing.T, dir string) (string, tls.Certificate) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "cert.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, tls.Certificate{Certificate: [][]byte{der}, PrivateKey: priv}
}
