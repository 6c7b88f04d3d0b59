package io.ember.endpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The endpoint's own certificate authority, so that the endpoint speaks TLS from the first start with nothing to
 * configure (Lambda MicroVMs endpoints are always TLS). Its key ({@value #KEY_FILE}, mode 0600) and certificate
 * ({@value #CERT_FILE}, public: clients are given it to trust) are made once in the data directory and kept; the
 * server certificate it signs is made afresh at every start for the listener's names of that start, and never
 * written. An operator's own key store replaces all of this ({@code --tls-keystore}).
 */
public final class LocalCa {
    public static final String CERT_FILE = "endpoint-ca.pem";
    static final String KEY_FILE = "endpoint-ca.key";
    private static final Duration CA_LIFETIME = Duration.ofDays(3650);
    /** Under the 398 days browsers accept for a server certificate; a restart makes a new one anyway. */
    private static final Duration SERVER_LIFETIME = Duration.ofDays(397);
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final PrivateKey key;
    private final X509Certificate certificate;
    private final Path certificateFile;

    private LocalCa(PrivateKey key, X509Certificate certificate, Path certificateFile) {
        this.key = key;
        this.certificate = certificate;
        this.certificateFile = certificateFile;
    }

    /** The CA of {@code dataDir}, made on first use. */
    public static LocalCa open(Path dataDir) {
        Path keyFile = dataDir.resolve(KEY_FILE), certFile = dataDir.resolve(CERT_FILE);
        try {
            Files.createDirectories(dataDir);
            if (!Files.exists(keyFile) || !Files.exists(certFile)) create(keyFile, certFile);
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pemBody(keyFile)));
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(Files.readAllBytes(certFile)));
            return new LocalCa(key, cert, certFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the endpoint CA in " + dataDir, e);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("the endpoint CA in " + dataDir + " is damaged (" + e.getMessage()
                    + "): delete " + KEY_FILE + " and " + CERT_FILE + " to make a new one", e);
        }
    }

    /** Where the CA certificate is: what clients trust ({@code curl --cacert}). */
    public Path certificateFile() {
        return certificateFile;
    }

    /** The SHA-256 fingerprint of the CA certificate, as {@code openssl x509 -fingerprint -sha256} prints it. */
    public String fingerprint() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /**
     * A key store (empty password) with a new server key and its certificate for {@code names} (DNS names or IP
     * literals), signed by this CA, the chain included.
     */
    public KeyStore serverKeyStore(List<String> names) {
        try {
            KeyPair pair = ecKeyPair();
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate,
                    new BigInteger(127, RANDOM), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(SERVER_LIFETIME)), new X500Name("CN=" + names.getFirst()), pair.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(altNames(names)));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            X509Certificate leaf = sign(b, key);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("endpoint", pair.getPrivate(), new char[0], new X509Certificate[] {leaf, certificate});
            return store;
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make the endpoint's server certificate: " + e.getMessage(), e);
        }
    }

    /**
     * The names a server certificate for this listener needs: loopback under its names, the bound address when it
     * is a specific one, and the endpoint domain with its wildcard (the host-name form {@code mvm-….domain}).
     */
    public static List<String> listenerNames(String bindAddress, String domain) {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        if (!bindAddress.equals("0.0.0.0") && !bindAddress.equals("::")) names.add(bindAddress);
        if (domain != null) {
            names.add(domain);
            names.add("*." + domain);
        }
        return new ArrayList<>(names);
    }

    private static GeneralName[] altNames(List<String> names) {
        List<GeneralName> out = new ArrayList<>();
        for (String n : names) {
            boolean ip = n.contains(":") || n.matches("[0-9.]+");
            out.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, n));
        }
        return out.toArray(GeneralName[]::new);
    }

    private static void create(Path keyFile, Path certFile) throws IOException {
        try {
            KeyPair pair = ecKeyPair();
            Instant now = Instant.now();
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                host = "localhost";
            }
            X500Name name = new X500Name("CN=Ember endpoint CA " + host.replaceAll("[^A-Za-z0-9.-]", "") + " "
                    + HexFormat.of().formatHex(randomBytes(4)) + ",O=Ember");
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, new BigInteger(127, RANDOM),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(CA_LIFETIME)), name, pair.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createSubjectKeyIdentifier(pair.getPublic()));
            X509Certificate cert = sign(b, pair.getPrivate());
            writeAtomically(keyFile, pem("PRIVATE KEY", pair.getPrivate().getEncoded()), "rw-------");
            writeAtomically(certFile, pem("CERTIFICATE", cert.getEncoded()), "rw-r--r--");
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make the endpoint CA: " + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
            throws OperatorCreationException, GeneralSecurityException, IOException {
        byte[] der = b.build(new JcaContentSignerBuilder(SIGNATURE).build(signer)).getEncoded();
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(der));
    }

    private static KeyPair ecKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] pemBody(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        String body = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(body);
    }

    /** The file appears whole with its mode, or not at all (a crash halfway leaves only the .tmp). */
    private static void writeAtomically(Path file, String content, String mode) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
        Files.writeString(tmp, content, StandardCharsets.US_ASCII, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
