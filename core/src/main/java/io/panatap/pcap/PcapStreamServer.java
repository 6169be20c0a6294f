package io.panatap.pcap;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Serves a classic pcap stream over TCP to every client that connects (PCAP-over-IP, as Arkime reads it and
 * {@code tshark -r -} or {@code panatap -r tcp://HOST:PORT} do): each client gets the file header, then the
 * records written after it connected, as whole records.
 *
 * <p>The capture never waits for a client. Producers ({@link #producer()}, one per capturing thread, e.g. a
 * {@link PcapWriter} created over it) only copy each chunk of whole records into every client's bounded
 * buffer under that client's lock; a separate thread with a {@link Selector} accepts clients and sends
 * their buffers. A client whose buffer is full loses the chunk (its records are counted in
 * {@link ClientStats#lost()}); the stream it receives stays valid, with a gap. A client that disconnects is
 * dropped and ends nothing else. At {@link #close()} clients get a bounded time to take what is buffered; a
 * client still behind after it gets a stream that may end inside a record.
 *
 * <p>Each client's buffer is two halves: the producers fill one while the sending thread writes the other
 * to the socket, and they swap when the sending half is done. A half starts at 1 MiB and doubles (a copy, on
 * the producer's thread, at most a few times per client) only while its client lags, up to half the
 * client buffer; memory is taken by clients that fall behind, not by every client.
 */
public final class PcapStreamServer implements AutoCloseable {
    /**
     * Per client bytes buffered at most by default (both halves): about two seconds of 300,000 packets/s of
     * 100 bytes, for a client (or the sending thread) that is not scheduled for a while.
     */
    public static final int DEFAULT_CLIENT_BUFFER = 64 << 20;
    /** Clients served at once at most; more are refused (closed). */
    public static final int MAX_CLIENTS = 16;
    /** Each half starts this large and doubles, up to half the client buffer, only for a client that lags. */
    private static final int INITIAL_HALF = 1 << 20;
    private static final long CLOSE_DRAIN_NANOS = TimeUnit.SECONDS.toNanos(2);

    /**
     * What one client received.
     *
     * @param address      the client's address and port
     * @param sent         records wholly handed to its socket
     * @param lost         records it did not get: its buffer was full, or still buffered when the server closed
     * @param disconnected it closed the connection (or the connection failed) before the server did
     */
    public record ClientStats(InetSocketAddress address, long sent, long lost, boolean disconnected) {
    }

    private final ServerSocketChannel server;
    private final Selector selector;
    private final int halfBuffer;
    private final Thread thread;
    private final Consumer<InetSocketAddress> onConnect;
    private final Object clientsLock = new Object();
    private volatile Client[] clients = new Client[0]; // copy on write under clientsLock
    private final List<Client> waiting = new ArrayList<>(); // accepted before the header was known
    private final List<Client> all = new ArrayList<>(); // guarded by clientsLock, for the statistics
    private byte[] header; // guarded by clientsLock
    private volatile boolean closing;
    private volatile long drainDeadline;

    private PcapStreamServer(ServerSocketChannel server, Selector selector, int clientBuffer,
                             Consumer<InetSocketAddress> onConnect) {
        this.server = server;
        this.onConnect = onConnect;
        this.selector = selector;
        this.halfBuffer = clientBuffer / 2;
        this.thread = Thread.ofPlatform().name("panatap-stream").daemon().unstarted(this::loop);
    }

    /**
     * Listens on {@code address} (port 0: a free port, see {@link #address()}) and starts the sending thread.
     *
     * @param clientBuffer bytes buffered per client, at least 128 KiB; a chunk larger than half of it is
     *                     never delivered
     */
    public static PcapStreamServer open(InetSocketAddress address, int clientBuffer) throws IOException {
        return open(address, clientBuffer, client -> { });
    }

    /**
     * As {@link #open(InetSocketAddress, int)}, calling {@code onConnect} on the sending thread with the
     * address of each client once it is served (it must return quickly: it delays every client).
     *
     * @param address      where to listen
     * @param clientBuffer bytes buffered per client
     * @param onConnect    told of each client served
     */
    public static PcapStreamServer open(InetSocketAddress address, int clientBuffer,
                                        Consumer<InetSocketAddress> onConnect) throws IOException {
        if (clientBuffer < (128 << 10)) {
            throw new IllegalArgumentException("client buffer too small: " + clientBuffer);
        }
        ServerSocketChannel server = ServerSocketChannel.open();
        Selector selector = null;
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(address);
            server.configureBlocking(false);
            selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            server.close();
            if (selector != null) {
                selector.close();
            }
            throw e;
        }
        PcapStreamServer s = new PcapStreamServer(server, selector, clientBuffer, onConnect);
        s.thread.start();
        return s;
    }

    /** The address listened on, with the port chosen when 0 was asked for. */
    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) server.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A stream for one producing thread: its first write is the pcap file header (the same from every
     * producer), every later write whole little-endian records, as {@link PcapWriter} writes them. Writes
     * never block and never fail; {@code flush} and {@code close} do nothing.
     */
    public OutputStream producer() {
        return new OutputStream() {
            private boolean headerSeen;

            @Override
            public void write(int b) {
                throw new UnsupportedOperationException("whole records only");
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (!headerSeen) {
                    headerSeen = true;
                    header(Arrays.copyOfRange(b, off, off + len));
                } else if (len > 0) {
                    publish(b, off, len);
                }
            }
        };
    }

    private void header(byte[] bytes) {
        synchronized (clientsLock) {
            if (header != null) {
                return;
            }
            header = bytes;
            for (Client c : waiting) {
                c.offerHeader(bytes);
                addClient(c);
            }
            waiting.clear();
        }
        selector.wakeup();
    }

    private void publish(byte[] b, int off, int len) {
        Client[] cs = clients;
        if (cs.length == 0) {
            return;
        }
        int records = countRecords(b, off, off + len);
        for (Client c : cs) {
            if (c.offer(b, off, len, records)) {
                selector.wakeup();
            }
        }
    }

    /** Whole pcap records in {@code b[from, to)}. */
    static int countRecords(byte[] b, int from, int to) {
        int n = 0;
        int at = from;
        while (at + PcapFormat.RECORD_HEADER_LENGTH <= to) {
            int i = at + PcapFormat.RECORD_CAPTURED_LENGTH;
            int captured = (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | (b[i + 3] & 0xFF) << 24;
            long end = (long) at + PcapFormat.RECORD_HEADER_LENGTH + (captured & 0xFFFFFFFFL);
            if (end > to) {
                break;
            }
            at = (int) end;
            n++;
        }
        return n;
    }

    private void addClient(Client c) {
        Client[] next = Arrays.copyOf(clients, clients.length + 1);
        next[next.length - 1] = c;
        clients = next;
    }

    private void removeClient(Client c) {
        synchronized (clientsLock) {
            List<Client> next = new ArrayList<>(List.of(clients));
            next.remove(c);
            clients = next.toArray(Client[]::new);
            waiting.remove(c);
        }
    }

    /** What each client that connected received, in the order they connected; final after {@link #close()}. */
    public List<ClientStats> clients() {
        synchronized (clientsLock) {
            return all.stream().map(Client::stats).toList();
        }
    }

    /**
     * Stops accepting, gives the clients up to two seconds to take what is buffered, then closes every
     * connection; records still buffered then count as lost. Idempotent.
     */
    @Override
    public void close() {
        if (!closing) {
            drainDeadline = System.nanoTime() + CLOSE_DRAIN_NANOS;
            closing = true;
        }
        selector.wakeup();
        try {
            thread.join(TimeUnit.NANOSECONDS.toMillis(CLOSE_DRAIN_NANOS) + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        try {
            while (true) {
                boolean pending = false;
                for (Client c : clients) {
                    pending |= c.pump();
                }
                if (closing) {
                    closeServer();
                    if (!pending || System.nanoTime() - drainDeadline >= 0) {
                        break;
                    }
                }
                selector.select(closing ? 10 : 0);
                for (SelectionKey key : selector.selectedKeys()) {
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept();
                    } else if (key.isReadable()) {
                        ((Client) key.attachment()).readOrDisconnect();
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | ClosedSelectorException e) {
            // The selector itself failed: nothing more can be served; close what is left below.
        } finally {
            finish();
        }
    }

    private void closeServer() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private void accept() throws IOException {
        SocketChannel channel;
        while ((channel = server.accept()) != null) {
            synchronized (clientsLock) {
                if (clients.length + waiting.size() >= MAX_CLIENTS) {
                    channel.close();
                    continue;
                }
            }
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Client c = new Client(channel, (InetSocketAddress) channel.getRemoteAddress(), halfBuffer);
            c.key = channel.register(selector, SelectionKey.OP_READ, c);
            synchronized (clientsLock) {
                all.add(c);
                if (header == null) {
                    waiting.add(c);
                } else {
                    c.offerHeader(header);
                    addClient(c);
                }
            }
            onConnect.accept(c.address);
        }
    }

    private void finish() {
        closeServer();
        for (Client c : clients) {
            c.closeAtEnd();
        }
        synchronized (clientsLock) {
            for (Client c : waiting) {
                c.closeAtEnd();
            }
            clients = new Client[0];
            waiting.clear();
        }
        try {
            selector.close();
        } catch (IOException e) {
            // nothing left to serve
        }
    }

    /** One connection: its two buffer halves, its counts. */
    private final class Client {
        final SocketChannel channel;
        final InetSocketAddress address;
        SelectionKey key;
        final int maxHalf;
        // Guarded by this: the half the producers fill.
        byte[] filling;
        int fillingUsed;
        long fillingRecords;
        boolean wakeRequested;
        long lost;
        // Owned by the sending thread: the half being sent.
        byte[] sending;
        ByteBuffer sendingBuffer;
        int sendingHeader; // bytes of file header at the start of the half being sent
        long sendingRecords;
        int headerInFilling;
        volatile long sent;
        volatile boolean disconnected;
        private final byte[] scratch = new byte[4096];

        Client(SocketChannel channel, InetSocketAddress address, int half) {
            this.channel = channel;
            this.address = address;
            this.maxHalf = half;
            this.filling = new byte[Math.min(INITIAL_HALF, half)];
            this.sending = new byte[Math.min(INITIAL_HALF, half)];
            this.sendingBuffer = ByteBuffer.wrap(sending, 0, 0);
        }

        synchronized void offerHeader(byte[] h) {
            System.arraycopy(h, 0, filling, fillingUsed, h.length);
            fillingUsed += h.length;
            headerInFilling = h.length;
        }

        /** Copies a chunk or counts it lost; true when the sending thread should be woken. */
        synchronized boolean offer(byte[] b, int off, int len, int records) {
            if (filling.length - fillingUsed < len && !grow(fillingUsed + len)) {
                lost += records;
                return false;
            }
            System.arraycopy(b, off, filling, fillingUsed, len);
            fillingUsed += len;
            fillingRecords += records;
            if (wakeRequested) {
                return false;
            }
            wakeRequested = true;
            return true;
        }

        /** Doubles the filling half (up to the maximum) to hold {@code needed} bytes; false if it cannot. */
        private boolean grow(int needed) {
            if (needed > maxHalf) {
                return false;
            }
            int size = filling.length;
            while (size < needed) {
                size = Math.min(maxHalf, size * 2);
            }
            try {
                filling = Arrays.copyOf(filling, size);
                return true;
            } catch (OutOfMemoryError e) {
                return false; // the heap cannot buffer more for this client: it loses packets instead
            }
        }

        /** Sends what it can without blocking; true when bytes are left to send. */
        boolean pump() {
            if (disconnected) {
                return false;
            }
            try {
                while (true) {
                    if (sendingBuffer.hasRemaining()) {
                        channel.write(sendingBuffer);
                        if (sendingBuffer.hasRemaining()) {
                            key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                            return true;
                        }
                        sent += sendingRecords;
                        sendingRecords = 0;
                    }
                    if (!swap()) {
                        key.interestOps(SelectionKey.OP_READ);
                        return false;
                    }
                }
            } catch (IOException e) {
                disconnect();
                return false;
            }
        }

        /** Takes the filled half to send; false (and wake me next time) when it is empty. */
        private synchronized boolean swap() {
            if (fillingUsed == 0) {
                wakeRequested = false;
                return false;
            }
            byte[] t = sending;
            sending = filling;
            filling = t;
            sendingBuffer = ByteBuffer.wrap(sending, 0, fillingUsed);
            sendingRecords = fillingRecords;
            sendingHeader = headerInFilling;
            headerInFilling = 0;
            fillingUsed = 0;
            fillingRecords = 0;
            return true;
        }

        /** A client that sends is ignored; end of stream or an error is a disconnect. */
        void readOrDisconnect() {
            try {
                if (channel.read(ByteBuffer.wrap(scratch)) < 0) {
                    disconnect();
                }
            } catch (IOException e) {
                disconnect();
            }
        }

        private void disconnect() {
            disconnected = true;
            removeClient(this);
            closeQuietly();
        }

        /** The server is closing: what is still buffered is lost. */
        void closeAtEnd() {
            if (disconnected) {
                return;
            }
            long unsent = countRecords(sending, sendingHeader, sendingBuffer.limit())
                    - countRecords(sending, sendingHeader, sendingBuffer.position());
            synchronized (this) {
                lost += unsent + fillingRecords;
                fillingRecords = 0;
                fillingUsed = 0;
            }
            sent += sendingRecords - unsent;
            sendingRecords = 0;
            closeQuietly();
        }

        private void closeQuietly() {
            try {
                channel.close();
            } catch (IOException e) {
                // gone anyway
            }
        }

        synchronized ClientStats stats() {
            return new ClientStats(address, sent, lost, disconnected);
        }
    }
}
