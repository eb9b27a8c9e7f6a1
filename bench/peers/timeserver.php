<?php
// The PHP manual's TCP time server (stream_socket_server, example #1), with
// the address from the command line: php timeserver.php tcp://127.0.0.1:8000
// (accept's 60-second default timeout raised, so an idle minute ends nothing).
$socket = stream_socket_server($argv[1] ?? "tcp://0.0.0.0:8000", $errno, $errstr);
if (!$socket) {
  echo "$errstr ($errno)<br />\n";
} else {
  while ($conn = stream_socket_accept($socket, -1)) {
    fwrite($conn, 'The local time is ' . date('n/j/Y g:i a') . "\n");
    fclose($conn);
  }
  fclose($socket);
}
