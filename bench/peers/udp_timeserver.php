<?php
// The PHP manual's UDP time server (stream_socket_server, example #2), with
// the address from the command line: php udp_timeserver.php udp://127.0.0.1:1113
$socket = stream_socket_server($argv[1] ?? "udp://127.0.0.1:1113", $errno, $errstr, STREAM_SERVER_BIND);
if (!$socket) {
    die("$errstr ($errno)");
}

do {
    $pkt = stream_socket_recvfrom($socket, 1, 0, $peer);
    echo "$peer\n";
    stream_socket_sendto($socket, date("D M j H:i:s Y\r\n"), 0, $peer);
} while ($pkt !== false);
