// Loads an ontology with the OWL API, the library Protégé is built on, to check what Protégé would make of it.
//
//   java OwlTool check FILE [CATALOG_DIR...]        print a JSON report; exit 0 clean, 1 problems, 2 not loaded
//   java OwlTool save FILE OUT rdfxml|turtle [CATALOG_DIR...]   write the ontology as the OWL API saves it
//
// Imports resolve only through the catalog-v001.xml files in the CATALOG_DIRs, the way Protégé resolves them
// offline; every network fetch is refused, so an unmapped import is reported missing instead of downloaded.

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.RDFXMLDocumentFormat;
import org.semanticweb.owlapi.formats.TurtleDocumentFormat;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyCreationException;
import org.semanticweb.owlapi.model.OWLOntologyIRIMapper;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.model.OWLOntologyStorageException;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

public final class OwlTool {
    private static final String CATALOG = "catalog-v001.xml";
    private static final String CATALOG_NS = "urn:oasis:names:tc:entity:xmlns:xml:catalog";

    public static void main(String[] args) {
        refuseNetwork();
        try {
            if (args.length >= 2 && args[0].equals("check")) {
                System.exit(check(new File(args[1]), tail(args, 2)));
            } else if (args.length >= 4 && args[0].equals("save")) {
                save(new File(args[1]), new File(args[2]), args[3], tail(args, 4));
                System.exit(0);
            }
            System.err.println("usage: OwlTool check FILE [CATALOG_DIR...]\n"
                + "       OwlTool save FILE OUT rdfxml|turtle [CATALOG_DIR...]");
            System.exit(2);
        } catch (Exception e) {
            // Also the OWL API's own runtime exceptions (it throws NullPointerException on some malformed
            // RDF lists): the caller gets a JSON error either way, never a report that silently lacks fields.
            System.out.println("{\"error\": " + json(e.toString()) + "}");
            System.exit(2);
        }
    }

    /** Report the ontology IRI, unparsed triples, missing imports, OWL 2 DL violations and axiom counts. */
    static int check(File file, String[] catalogDirs) throws OWLOntologyCreationException, IOException {
        OWLOntologyManager manager = offlineManager(catalogDirs);
        List<String> missingImports = new ArrayList<>();
        manager.addMissingImportListener(event -> missingImports.add(json(Map.of(
            "iri", event.getImportedOntologyURI().toString(),
            "reason", String.valueOf(event.getCreationException())))));
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(file);

        List<String> unparsed = ontology.importsClosure()
            .flatMap(loaded -> unparsedTriples(manager.getOntologyFormat(loaded)).stream())
            .collect(Collectors.toList());
        List<String> imports = ontology.imports()
            .map(imported -> iri(imported.getOntologyID().getOntologyIRI()))
            .sorted()
            .collect(Collectors.toList());
        // OWL2DLProfile walks the whole imports closure, as Protégé's reasoners see it.
        List<OWLProfileViolation> violations = new OWL2DLProfile().checkOntology(ontology).getViolations();
        List<String> violationJson = violations.stream()
            .map(v -> json(Map.of("type", v.getClass().getSimpleName(), "message", v.toString().strip())))
            .collect(Collectors.toList());

        Map<String, String> report = new LinkedHashMap<>();
        report.put("ontology", iri(ontology.getOntologyID().getOntologyIRI()));
        report.put("version_iri", iri(ontology.getOntologyID().getVersionIRI()));
        report.put("format", json(manager.getOntologyFormat(ontology).getKey()));
        report.put("axiom_count", String.valueOf(ontology.getAxiomCount()));
        report.put("logical_axiom_count", String.valueOf(ontology.getLogicalAxiomCount()));
        report.put("imports", "[" + String.join(", ", imports) + "]");
        report.put("missing_imports", "[" + String.join(", ", missingImports) + "]");
        report.put("unparsed_triple_count", String.valueOf(unparsed.size()));
        report.put("unparsed_triples", "[" + String.join(", ", unparsed) + "]");
        report.put("profile_violations", "[" + String.join(", ", violationJson) + "]");
        System.out.println(jsonObject(report));
        return missingImports.isEmpty() && unparsed.isEmpty() && violations.isEmpty() ? 0 : 1;
    }

    /** Save the ontology as the OWL API (and so Protégé) writes it, keeping the loaded file's prefixes. */
    static void save(File file, File out, String syntax, String[] catalogDirs)
            throws OWLOntologyCreationException, OWLOntologyStorageException, IOException {
        OWLOntologyManager manager = offlineManager(catalogDirs);
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(file);
        OWLDocumentFormat format;
        if (syntax.equals("rdfxml")) {
            format = new RDFXMLDocumentFormat();
        } else if (syntax.equals("turtle")) {
            format = new TurtleDocumentFormat();
        } else {
            throw new IllegalArgumentException("unknown syntax " + syntax + " (rdfxml or turtle)");
        }
        OWLDocumentFormat loaded = manager.getOntologyFormat(ontology);
        if (loaded != null && loaded.isPrefixOWLDocumentFormat()) {
            format.asPrefixOWLDocumentFormat().copyPrefixesFrom(loaded.asPrefixOWLDocumentFormat());
        }
        manager.saveOntology(ontology, format, IRI.create(out.getAbsoluteFile()));
    }

    /** A manager that resolves imports only through the catalogs, collecting (not throwing on) missing ones. */
    static OWLOntologyManager offlineManager(String[] catalogDirs) throws IOException {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        manager.getIRIMappers().clear();
        manager.getIRIMappers().add(new CatalogMapper(catalogDirs));
        manager.setOntologyLoaderConfiguration(manager.getOntologyLoaderConfiguration()
            .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT));
        return manager;
    }

    /** Make every http(s) URL fail to open, so an unmapped import can never reach the network. */
    static void refuseNetwork() {
        URL.setURLStreamHandlerFactory(protocol -> protocol.equals("http") || protocol.equals("https")
            ? new URLStreamHandler() {
                @Override
                protected URLConnection openConnection(URL url) throws IOException {
                    throw new IOException("network access disabled: " + url);
                }
            }
            : null);
    }

    /** The triples the loader could not turn into axioms, as JSON strings. */
    static List<String> unparsedTriples(OWLDocumentFormat format) {
        if (format == null) {
            return List.of();
        }
        return format.getOntologyLoaderMetaData()
            .map(meta -> meta.getUnparsedTriples()
                .map(triple -> json(triple.toString()))
                .sorted()
                .collect(Collectors.toList()))
            .orElse(List.of());
    }

    /** Protégé's catalog-v001.xml: each <uri name="ONTOLOGY IRI" uri="FILE"/> maps an IRI to a file. */
    static final class CatalogMapper implements OWLOntologyIRIMapper {
        private final Map<String, IRI> documents = new LinkedHashMap<>();

        CatalogMapper(String[] catalogDirs) throws IOException {
            for (String dir : catalogDirs) {
                File catalog = new File(dir, CATALOG);
                if (!catalog.isFile()) {
                    throw new IOException("no " + CATALOG + " in " + dir);
                }
                read(catalog);
            }
        }

        private void read(File catalog) throws IOException {
            NodeList entries;
            try {
                DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
                factory.setNamespaceAware(true);
                // A catalog is trusted project data, but still never a reason to read a DTD or an entity.
                factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
                factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
                factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
                entries = factory.newDocumentBuilder().parse(catalog).getElementsByTagNameNS(CATALOG_NS, "uri");
            } catch (Exception e) {
                throw new IOException(catalog + ": " + e.getMessage(), e);
            }
            for (int i = 0; i < entries.getLength(); i++) {
                Element entry = (Element) entries.item(i);
                // getBaseURI() honours xml:base on enclosing <group>s, else it is the catalog's own location.
                URI document = URI.create(entry.getBaseURI()).resolve(entry.getAttribute("uri"));
                documents.putIfAbsent(entry.getAttribute("name"), IRI.create(document));
            }
        }

        @Override
        public IRI getDocumentIRI(IRI ontologyIRI) {
            return documents.get(ontologyIRI.toString());
        }
    }

    /** An optional IRI as a JSON string or null. */
    static String iri(java.util.Optional<IRI> iri) {
        return json(iri.map(IRI::toString).orElse(null));
    }

    static String[] tail(String[] args, int from) {
        return java.util.Arrays.copyOfRange(args, from, args.length);
    }

    /** A JSON object whose values are JSON already. */
    static String jsonObject(Map<String, String> fields) {
        return fields.entrySet().stream()
            .map(e -> json(e.getKey()) + ": " + e.getValue())
            .collect(Collectors.joining(", ", "{", "}"));
    }

    /** A JSON object of string values, keys sorted. */
    static String json(Map<String, String> fields) {
        Map<String, String> quoted = new LinkedHashMap<>();
        fields.entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .forEach(field -> quoted.put(field.getKey(), json(field.getValue())));
        return jsonObject(quoted);
    }

    /** A JSON string literal, or null. */
    static String json(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        return out.append('"').toString();
    }
}
