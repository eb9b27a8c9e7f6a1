package main

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os/exec"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// Commands that read a capture (luasock run --pcap) with Debian's tshark,
// the reader Wireshark users have: the file must parse as the real tool
// parses it. A script runs `need tshark tshark` before them.

// tshark runs tshark with args and returns its stdout; it fails the
// script when tshark fails. (tshark warns about running as root on
// stderr: that is dropped.)
func tshark(ts *testscript.TestScript, args ...string) string {
	cmd := exec.Command("tshark", args...)
	cmd.Dir = ts.Getenv("WORK")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		ts.Fatalf("tshark %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// cmdPcapCheck: pcapcheck FILE prints tshark's one-line summary of each
// packet, and fails when tshark, verifying the IP, TCP and UDP checksums,
// finds a malformed packet or anything of the expert severity "error" (a
// bad checksum is one). For that check every port's payload is decoded as
// plain data: the headers are luasock's work, the payload the script's and
// its peer's, and a test's random port may be one Wireshark gives to some
// other protocol (1113, the UDP time server's, is LTP's).
//
// pcapcheck FILE PROTO decodes every TCP port of the summary as PROTO
// ("data": TCP and UDP ports as plain TCP and UDP): a client's ephemeral
// port may be some protocol's too (44322 is pmproxy's), and Wireshark
// tries the lower of a connection's two ports first.
func cmdPcapCheck(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: pcapcheck FILE [PROTO]")
	}
	checks := []string{"-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"}
	ports := map[string]bool{}
	for _, p := range strings.Fields(strings.ReplaceAll(tshark(ts, "-r", args[0], "-T", "fields",
		"-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "udp.srcport", "-e", "udp.dstport"), ",", " ")) {
		ports[p] = true
	}
	for p := range ports {
		checks = append(checks, "-d", "tcp.port=="+p+",data", "-d", "udp.port=="+p+",data")
	}
	bad := tshark(ts, append(checks, "-r", args[0], "-Y", "_ws.malformed || _ws.expert.severity == error")...)
	var decode []string
	if len(args) == 2 {
		for p := range ports {
			decode = append(decode, "-d", "tcp.port=="+p+","+args[1])
			if args[1] == "data" {
				decode = append(decode, "-d", "udp.port=="+p+",data")
			}
		}
	}
	summary := tshark(ts, append(decode, "-r", args[0])...)
	if strings.TrimSpace(bad) != "" {
		ts.Fatalf("tshark finds errors in %s:\n%s\nwhole capture:\n%s", args[0], bad, summary)
	}
	fmt.Fprint(ts.Stdout(), summary)
}

// cmdPcapComments: pcapcomments FILE prints the comment of each packet
// that has one, after its number.
func cmdPcapComments(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: pcapcomments FILE")
	}
	out := tshark(ts, "-r", args[0], "-Y", "frame.comment", "-T", "fields", "-e", "frame.number", "-e", "frame.comment")
	fmt.Fprint(ts.Stdout(), out)
}

// cmdPcapFollow: pcapfollow FILE N client|server prints the bytes one end
// of the capture's TCP stream N sent, as tshark's "Follow TCP stream"
// gives them (the client is the end that sent the SYN).
func cmdPcapFollow(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 || (args[2] != "client" && args[2] != "server") {
		ts.Fatalf("usage: pcapfollow FILE N client|server")
	}
	out := tshark(ts, "-q", "-z", "follow,tcp,raw,"+args[1], "-r", args[0])
	// After the "Node 1:" line, each line is a chunk in hex: the server's
	// indented by a tab, the client's not.
	_, body, ok := strings.Cut(out, "\nNode 1: ")
	if !ok {
		ts.Fatalf("no stream %s in %s:\n%s", args[1], args[0], out)
	}
	var sent []byte
	for _, line := range strings.Split(body, "\n")[1:] {
		if strings.HasPrefix(line, "====") {
			break
		}
		server := strings.HasPrefix(line, "\t")
		if server != (args[2] == "server") {
			continue
		}
		b, err := hex.DecodeString(strings.TrimSpace(line))
		ts.Check(err)
		sent = append(sent, b...)
	}
	ts.Stdout().Write(sent)
}

// cmdPcapUDP: pcapudp FILE prints a line per UDP datagram of the capture,
// "SRC > DST N bytes", then "N to PORT, M from it" for the port of the
// first datagram's destination (the server's), "as many" for M when they
// are equal; pcapudp FILE I prints the
// bytes of the I-th datagram (from 1; -1 is the last).
func cmdPcapUDP(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: pcapudp FILE [I]")
	}
	out := tshark(ts, "-r", args[0], "-Y", "udp", "-T", "fields", "-E", "separator=/t",
		"-e", "ip.src", "-e", "udp.srcport", "-e", "ip.dst", "-e", "udp.dstport", "-e", "udp.length", "-e", "udp.payload") // whatever tshark decodes the port as
	var dgrams [][]string
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if f := strings.Split(l, "\t"); len(f) == 6 {
			dgrams = append(dgrams, f)
		}
	}
	if len(dgrams) == 0 {
		ts.Fatalf("no UDP datagram in %s", args[0])
	}
	if len(args) == 2 {
		i, err := strconv.Atoi(args[1])
		if i < 0 {
			i += len(dgrams) + 1
		}
		if err != nil || i < 1 || i > len(dgrams) {
			ts.Fatalf("no datagram %s among %d", args[1], len(dgrams))
		}
		b, err := hex.DecodeString(strings.ReplaceAll(dgrams[i-1][5], ":", ""))
		ts.Check(err)
		ts.Stdout().Write(b)
		return
	}
	server := dgrams[0][3]
	to, from := 0, 0
	for _, f := range dgrams {
		n, _ := strconv.Atoi(f[4])
		fmt.Fprintf(ts.Stdout(), "%s:%s > %s:%s %d bytes\n", f[0], f[1], f[2], f[3], n-8)
		switch server {
		case f[3]:
			to++
		case f[1]:
			from++
		}
	}
	answers := strconv.Itoa(from)
	if from == to {
		answers = "as many"
	}
	fmt.Fprintf(ts.Stdout(), "%d to %s, %s from it\n", to, server, answers)
}
