"""The SHACL shapes: valid SHACL, documented, in step with the ontology, exact about what each case breaks."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pyshacl
import pytest
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH

from treatykg.core import resources
from treatykg.core.errors import InputError
from treatykg.core.iris import BASE, SYNTHETIC_BASE
from treatykg.graph.semantics.shapes import load_ontology, load_shapes, regex_escape, validate

TKG = Namespace("https://w3id.org/treatykg/ontology#")
TKGSH = Namespace("https://w3id.org/treatykg/shapes#")
ID = Namespace(BASE + "id/")
SRC = Namespace(BASE + "source/")
NOTE_REFERENCE = SRC["note/reference/bad"]
TIME = Namespace("http://www.w3.org/2006/time#")
# A plain Namespace: pytest probes module globals, and rdflib's closed XSD namespace warns on unknown names.
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

VALID = Path(__file__).parent / "fixtures" / "shapes" / "valid.ttl"
SHACL_SHACL = Path(pyshacl.__file__).parent / "assets" / "shacl-shacl.ttl"

PREFIXES = """
@prefix tkg: <https://w3id.org/treatykg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix id: <https://w3id.org/treatykg/id/> .
@prefix src: <https://w3id.org/treatykg/source/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
"""

# Parameters whose presence makes a shape produce results (SHACL Core constraint components).
CONSTRAINT_PARAMETERS = frozenset(
    SH[name]
    for name in [
        "class",
        "datatype",
        "nodeKind",
        "minCount",
        "maxCount",
        "minExclusive",
        "minInclusive",
        "maxExclusive",
        "maxInclusive",
        "minLength",
        "maxLength",
        "pattern",
        "languageIn",
        "uniqueLang",
        "equals",
        "disjoint",
        "lessThan",
        "lessThanOrEquals",
        "not",
        "and",
        "or",
        "xone",
        "node",
        "qualifiedValueShape",
        "closed",
        "hasValue",
        "in",
        "sparql",
    ]
)

BLANK = "_:blank"  # stands for the one blank node a case's results may name
ACCOUNT = ID["withdrawal/account/bad"]
V, W = SH.Violation, SH.Warning

# Provenance every event and proposition in a case needs, so a case breaks only what it means to break.
PROV = "tkg:attestedBy src:article-s1 ; tkg:source src:article"
EVENT = f'rdfs:label "an event"@en ; tkg:epistemicStatus tkg:ReportedBySource ; {PROV}'
OTHER_SOURCE = """
src:other a tkg:NewsArticle ; rdfs:label "Another article"@en ; tkg:fullText "Other text." ;
    tkg:textSha256 "5a961b4e5b6bce6d6891b05b38ec4108adc6c2ee20ba884ed71fbc647bb6b1f8" .
src:other-s1 a tkg:Sentence ; tkg:exact "Other text." ; tkg:start 0 ; tkg:end 11 ; tkg:position 1 ;
    tkg:inSource src:other .
"""


def result(focus, component, shape, value=None, severity=V):
    """An expected result: (focus, constraint component, severity, source shape, value)."""
    return (focus, SH[f"{component}ConstraintComponent"], severity, TKGSH[shape], value)


def dt(lexical):
    """An xsd:dateTime literal exactly as written (rdflib would rewrite "Z" as "+00:00")."""
    return Literal(lexical, datatype=XSD.dateTime, normalize=False)


# Each case: the node shape it breaks, Turtle added to the valid fixture, and every result that must follow.
VIOLATING = {
    "thing-iri-outside-base": (
        "ThingIRIShape",
        '<https://example.org/elsewhere/russia> a tkg:State ; rdfs:label "Russia"@en .',
        {
            result(
                URIRef("https://example.org/elsewhere/russia"),
                "Pattern",
                "ThingIRIShape",
                URIRef("https://example.org/elsewhere/russia"),
            )
        },
    ),
    "thing-iri-in-source-space": (
        "ThingIRIShape",
        'src:cfe a tkg:Treaty ; rdfs:label "CFE"@en .',
        {result(SRC.cfe, "Pattern", "ThingIRIShape", SRC.cfe)},
    ),
    "source-iri-in-id-space": (
        "SourceIRIShape",
        'id:span a tkg:TextSpan ; tkg:exact "CFE news" ; tkg:start 0 ; tkg:end 8 ; '
        "tkg:inSource src:article .",
        {result(ID.span, "Pattern", "SourceIRIShape", ID.span)},
    ),
    "reference-iri-in-id-space": (
        "SourceIRIShape",
        "@prefix dcterms: <http://purl.org/dc/terms/> . id:reference-cfe a tkg:Reference ; "
        'dcterms:title "CFE" ; dcterms:publisher "A depositary" ; dcterms:date "1990" .',
        {result(ID["reference-cfe"], "Pattern", "SourceIRIShape", ID["reference-cfe"])},
    ),
    "event-missing-status-provenance-label": (
        "EventShape",
        "id:bad a tkg:Situation .",
        {
            result(ID.bad, "Or", "EventStatusShape", ID.bad),
            result(ID.bad, "MinCount", "Event-attestedBy"),
            result(ID.bad, "MinCount", "Event-source"),
            result(ID.bad, "QualifiedMinCount", "Named-englishLabel"),
        },
    ),
    "event-without-status-or-account": (
        "EventStatusShape",
        f'id:bad a tkg:Invasion ; {PROV} ; rdfs:label "an invasion"@en ; tkg:agent id:russia ; '
        "tkg:timeSpan id:time-2023 .",
        {result(ID.bad, "Or", "EventStatusShape", ID.bad)},
    ),
    "event-without-status-with-a-live-account": (
        "DeprecatedAccountShape",
        f"""id:bad a tkg:Invasion ; rdfs:label "an invasion"@en ; tkg:agent id:russia ;
            tkg:timeSpan id:time-2023 .
            <https://w3id.org/treatykg/id/bad/account/article> a tkg:Account ; {PROV} ;
                tkg:accountOf id:bad ; tkg:epistemicStatus tkg:ReportedBySource .
            <https://w3id.org/treatykg/id/bad/account/other> a tkg:Account ; {PROV} ;
                tkg:accountOf id:bad ; tkg:epistemicStatus tkg:ReportedBySource .
            id:decision-bad a tkg:Decision ; tkg:decisionOn <https://w3id.org/treatykg/id/bad/account/other> ;
                tkg:rank tkg:Deprecated ; tkg:reason "Misread." ; prov:wasAssociatedWith id:curator ;
                prov:endedAtTime "2026-12-06T10:00:00Z"^^xsd:dateTime .""",
        {result(ID.bad, "Or", "EventStatusShape", ID.bad)},
    ),
    "event-wrong-values": (
        "EventShape",
        f"""id:bad a tkg:HistoricalEvent ; {PROV} ;
            rdfs:label "one"@en , "two"@en , "plain" ;
            tkg:epistemicStatus tkg:ReportedBySource , id:russia ;
            tkg:attestedBy src:article ;
            tkg:accordingTo id:cfe ; tkg:agent id:cfe ; tkg:place id:nato ; tkg:statedReason id:withdrawal ;
            tkg:timeSpan id:time-2023 , id:time-2007 ;
            tkg:happenedAfter id:cfe ; tkg:happenedBefore id:russia ;
            tkg:temporalQualifier "recently"@en .""",
        {
            result(ID.bad, "UniqueLang", "Named-labelPerLanguage"),
            result(ID.bad, "Datatype", "Named-labelPerLanguage", Literal("plain")),
            result(ID.bad, "MaxCount", "Event-epistemicStatus"),
            result(ID.bad, "In", "Event-epistemicStatus", ID.russia),
            result(ID.bad, "Class", "Event-attestedBy", SRC.article),
            result(ID.bad, "Class", "Event-accordingTo", ID.cfe),
            result(ID.bad, "Class", "Event-agent", ID.cfe),
            result(ID.bad, "Class", "Event-place", ID.nato),
            result(ID.bad, "Class", "Event-statedReason", ID.withdrawal),
            result(ID.bad, "MaxCount", "Event-timeSpan"),
            result(ID.bad, "Class", "Event-happenedAfter", ID.cfe),
            result(ID.bad, "Class", "Event-happenedBefore", ID.russia),
            result(ID.bad, "Datatype", "Event-temporalQualifier", Literal("recently", lang="en")),
        },
    ),
    "event-attested-in-another-source": (
        "EventShape",
        OTHER_SOURCE
        + """id:bad a tkg:Situation ; rdfs:label "x"@en ; tkg:epistemicStatus tkg:ReportedBySource ;
            tkg:attestedBy src:other-s1 ; tkg:source src:article .""",
        {
            result(ID.bad, "Equals", "FactBearing-spanInSource", SRC.other),
            result(ID.bad, "Equals", "FactBearing-spanInSource", SRC.article),
        },
    ),
    "event-two-sources": (
        "EventShape",
        OTHER_SOURCE
        + """id:bad a tkg:Situation ; rdfs:label "x"@en ; tkg:epistemicStatus tkg:ReportedBySource ;
            tkg:attestedBy src:article-s1 , src:other-s1 ; tkg:source src:article , src:other .""",
        {result(ID.bad, "MaxCount", "Event-ownSource")},
    ),
    "attributed-event-without-speaker": (
        "AttributedEventShape",
        'id:bad a tkg:Situation ; rdfs:label "x"@en ; '
        f"tkg:epistemicStatus tkg:AttributedToSpeaker ; {PROV} .",
        {result(ID.bad, "Or", "AttributedEventShape", ID.bad)},
    ),
    "treaty-act-without-treaty": (
        "TreatyActShape",
        f"id:bad a tkg:Signing ; {EVENT} ; tkg:agent id:russia ; tkg:timeSpan id:time-2023 .",
        {result(ID.bad, "MinCount", "TreatyAct-treaty")},
    ),
    "treaty-act-two-treaties": (
        "TreatyActShape",
        f"id:bad a tkg:Signing ; {EVENT} ; tkg:agent id:russia ; tkg:timeSpan id:time-2023 ; "
        "tkg:treaty id:cfe , id:russia .",
        {
            result(ID.bad, "MaxCount", "TreatyAct-treaty"),
            result(ID.bad, "Class", "TreatyAct-treaty", ID.russia),
        },
    ),
    "treaty-act-no-agent-undated-unordered": (
        "TreatyActShape",
        f"id:bad a tkg:Denunciation ; {EVENT} ; tkg:treaty id:cfe .",
        {
            result(ID.bad, "MinCount", "TreatyAct-agent", severity=W),
            result(ID.bad, "MinCount", "Act-placedInTime", severity=W),
        },
    ),
    "military-act-undated-unordered": (
        "MilitaryActShape",
        f"id:bad a tkg:Invasion ; {EVENT} ; tkg:agent id:russia .",
        {result(ID.bad, "MinCount", "Act-placedInTime", severity=W)},
    ),
    "speech-act-without-speaker-content": (
        "SpeechActShape",
        f"id:bad a tkg:Assertion ; {EVENT} .",
        {result(ID.bad, "MinCount", "SpeechAct-speaker"), result(ID.bad, "MinCount", "SpeechAct-content")},
    ),
    "speech-act-wrong-values": (
        "SpeechActShape",
        f"id:bad a tkg:Accusation ; {EVENT} ; tkg:speaker id:russia , id:nato ; tkg:content id:withdrawal ; "
        "tkg:evidence id:cfe .",
        {
            result(ID.bad, "MaxCount", "SpeechAct-speaker"),
            result(ID.bad, "Class", "SpeechAct-content", ID.withdrawal),
            result(ID.bad, "Class", "SpeechAct-evidence", ID.cfe),
        },
    ),
    "linkage-without-acts": (
        "LinkageShape",
        f"id:bad a tkg:Linkage ; {EVENT} ; tkg:speaker id:usa ; tkg:content id:prop-linkage .",
        {
            result(ID.bad, "MinCount", "Linkage-linkedAct"),
            result(ID.bad, "MinCount", "Linkage-linkedCondition"),
        },
    ),
    "linkage-acts-not-hypothetical": (
        "HypotheticalEventShape",
        f"id:bad a tkg:Linkage ; {EVENT} ; tkg:speaker id:usa ; tkg:content id:prop-linkage ; "
        "tkg:linkedAct id:withdrawal , id:ratification ; tkg:linkedCondition id:cfe .",
        {
            result(ID.bad, "MaxCount", "Linkage-linkedAct"),
            result(ID.bad, "Node", "Linkage-linkedAct", ID.withdrawal),
            result(ID.bad, "Class", "Linkage-linkedCondition", ID.cfe),
            result(ID.bad, "Node", "Linkage-linkedCondition", ID.cfe),
        },
    ),
    "proposition-without-label-provenance": (
        "PropositionShape",
        "id:bad a tkg:Proposition .",
        {
            result(ID.bad, "QualifiedMinCount", "Named-englishLabel"),
            result(ID.bad, "MinCount", "FactBearing-attestedBy"),
            result(ID.bad, "MinCount", "FactBearing-source"),
        },
    ),
    "proposition-describes-a-state": (
        "PropositionShape",
        f'id:bad a tkg:Proposition ; rdfs:label "x"@en ; {PROV} ; tkg:describes id:russia .',
        {result(ID.bad, "Class", "Proposition-describes", ID.russia)},
    ),
    "source-without-text": (
        "SourceShape",
        "src:bad a tkg:Source .",
        {
            result(SRC.bad, "QualifiedMinCount", "Named-englishLabel"),
            result(SRC.bad, "MinCount", "Source-fullText"),
            result(SRC.bad, "MinCount", "Source-textSha256"),
        },
    ),
    "source-wrong-values": (
        "SourceShape",
        'src:bad a tkg:NewsArticle ; rdfs:label "Bad"@en ; '
        'tkg:fullText "a" , "b" ; tkg:textSha256 "ABC123" .',
        {
            result(SRC.bad, "MaxCount", "Source-fullText"),
            result(SRC.bad, "Pattern", "Source-textSha256", Literal("ABC123")),
        },
    ),
    "source-blank-node": (
        "SourceShape",
        '[] a tkg:Source ; rdfs:label "x"@en ; tkg:fullText "x" ; tkg:textSha256 "' + "0" * 64 + '" .',
        {
            result(BLANK, "NodeKind", "SourceShape", BLANK),
            result(BLANK, "Pattern", "SourceIRIShape", BLANK),
        },
    ),
    "text-span-empty": (
        "TextSpanShape",
        "src:article-bad a tkg:TextSpan .",
        {
            result(SRC["article-bad"], "MinCount", "TextSpan-exact"),
            result(SRC["article-bad"], "MinCount", "TextSpan-start"),
            result(SRC["article-bad"], "MinCount", "TextSpan-end"),
            result(SRC["article-bad"], "MinCount", "TextSpan-inSource"),
        },
    ),
    "text-span-wrong-values": (
        "TextSpanShape",
        """src:article-bad a tkg:TextSpan ; tkg:exact 5 ;
            tkg:start "10"^^xsd:nonNegativeInteger ; tkg:end "4"^^xsd:nonNegativeInteger ;
            tkg:inSource src:article , id:russia ; tkg:inSentence src:article-s1 , src:article-s2 ;
            tkg:position "0"^^xsd:integer .""",
        {
            result(SRC["article-bad"], "Datatype", "TextSpan-exact", Literal(5)),
            result(
                SRC["article-bad"],
                "LessThan",
                "TextSpan-order",
                Literal("10", datatype=XSD.nonNegativeInteger),
            ),
            result(SRC["article-bad"], "MaxCount", "TextSpan-inSource"),
            result(SRC["article-bad"], "Class", "TextSpan-inSource", ID.russia),
            result(SRC["article-bad"], "MaxCount", "TextSpan-inSentence"),
            result(SRC["article-bad"], "MinInclusive", "TextSpan-position", Literal(0)),
        },
    ),
    "text-span-offsets-not-integers": (
        "TextSpanShape",
        'src:article-bad a tkg:TextSpan ; tkg:exact "x" ; tkg:start -1 ; tkg:end 3.5 ; '
        "tkg:inSource src:article .",
        {
            result(SRC["article-bad"], "MinInclusive", "TextSpan-start", Literal(-1)),
            result(SRC["article-bad"], "Or", "TextSpan-end", Literal("3.5", datatype=XSD.decimal)),
        },
    ),
    "heading-without-position": (
        "SentenceTableEntryShape",
        'src:article-h9 a tkg:Heading ; tkg:exact "CFE news" ; tkg:start 0 ; tkg:end 8 ; '
        "tkg:inSource src:article .",
        {result(SRC["article-h9"], "MinCount", "SentenceTableEntry-position")},
    ),
    "sentence-in-two-sections": (
        "SentenceShape",
        """src:article-s9 a tkg:Sentence ; tkg:exact "Russia withdrew from the CFE Treaty in 2023." ;
            tkg:start 9 ; tkg:end 53 ; tkg:position 2 ; tkg:inSource src:article ;
            tkg:inSection src:article-h1 , src:article-s1 .""",
        {
            result(SRC["article-s9"], "MaxCount", "Sentence-inSection"),
            result(SRC["article-s9"], "Class", "Sentence-inSection", SRC["article-s1"]),
        },
    ),
    "time-span-empty": (
        "TimeSpanShape",
        "id:bad a tkg:TimeSpan .",
        {
            result(ID.bad, "MinCount", "TimeSpan-earliest"),
            result(ID.bad, "MinCount", "TimeSpan-latest"),
            result(ID.bad, "MinCount", "TimeSpan-precision"),
        },
    ),
    "time-span-reversed-and-too-precise": (
        "TimeSpanShape",
        """id:bad a tkg:TimeSpan ; tkg:earliest "2024-01-01T00:00:00Z"^^xsd:dateTime ;
            tkg:latest "2023-12-31T23:59:59Z"^^xsd:dateTime ; tkg:precision time:unitHour .""",
        {
            result(ID.bad, "LessThanOrEquals", "TimeSpan-order", dt("2024-01-01T00:00:00Z")),
            result(ID.bad, "In", "TimeSpan-precision", TIME.unitHour),
        },
    ),
    "time-span-not-owl2-datatypes": (
        "TimeSpanShape",
        """id:bad a tkg:TimeSpan ; tkg:earliest "2023"^^xsd:gYear ; tkg:latest "2023-12-31"^^xsd:date ;
            tkg:precision time:unitYear , time:unitMonth .""",
        {
            result(ID.bad, "Datatype", "TimeSpan-earliest", Literal("2023", datatype=XSD.gYear)),
            result(ID.bad, "Datatype", "TimeSpan-latest", Literal("2023-12-31", datatype=XSD.date)),
            # A year and a date do not compare, so the order cannot be shown to hold.
            result(ID.bad, "LessThanOrEquals", "TimeSpan-order", Literal("2023", datatype=XSD.gYear)),
            result(ID.bad, "MaxCount", "TimeSpan-precision"),
        },
    ),
    "agent-blank-node": (
        "AgentShape",
        "[] a tkg:State .",
        {
            result(BLANK, "NodeKind", "AgentShape", BLANK),
            result(BLANK, "Pattern", "ThingIRIShape", BLANK),
            result(BLANK, "QualifiedMinCount", "Named-englishLabel"),
        },
    ),
    "agent-labels-not-english-not-unique": (
        "AgentShape",
        'id:bad a tkg:Person ; rdfs:label "plain" , "x"@de , "y"@de .',
        {
            result(ID.bad, "QualifiedMinCount", "Named-englishLabel"),
            result(ID.bad, "Datatype", "Named-labelPerLanguage", Literal("plain")),
            result(ID.bad, "UniqueLang", "Named-labelPerLanguage"),
        },
    ),
    "agent-group-includes-a-treaty": (
        "AgentGroupShape",
        'id:bad a tkg:AgentGroup ; rdfs:label "x"@en ; tkg:includesAgent id:cfe .',
        {result(ID.bad, "Class", "AgentGroup-includesAgent", ID.cfe)},
    ),
    "government-body-of-no-state": (
        "GovernmentBodyShape",
        'id:bad a tkg:GovernmentBody ; rdfs:label "x"@en .',
        {result(ID.bad, "MinCount", "GovernmentBody-governmentOf")},
    ),
    "government-body-of-two": (
        "GovernmentBodyShape",
        'id:bad a tkg:GovernmentBody ; rdfs:label "x"@en ; tkg:governmentOf id:russia , id:nato .',
        {
            result(ID.bad, "MaxCount", "GovernmentBody-governmentOf"),
            result(ID.bad, "Class", "GovernmentBody-governmentOf", ID.nato),
        },
    ),
    "membership-empty": (
        "MembershipShape",
        "id:bad a tkg:Membership .",
        {
            result(ID.bad, "MinCount", "Membership-member"),
            result(ID.bad, "MinCount", "Membership-organization"),
        },
    ),
    "membership-wrong-values": (
        "MembershipShape",
        """id:bad a tkg:Membership ; tkg:member id:usa , id:cfe ; tkg:organization id:russia ;
            tkg:memberDuring id:russia ; tkg:role id:cfe .""",
        {
            result(ID.bad, "MaxCount", "Membership-member"),
            result(ID.bad, "Class", "Membership-member", ID.cfe),
            result(ID.bad, "Class", "Membership-organization", ID.russia),
            result(ID.bad, "Class", "Membership-memberDuring", ID.russia),
            result(ID.bad, "Class", "Membership-role", ID.cfe),
        },
    ),
    "post-empty": (
        "PostShape",
        "id:bad a tkg:Post .",
        {result(ID.bad, "MinCount", "Post-postIn")},
    ),
    "post-wrong-values": (
        "PostShape",
        "id:bad a tkg:Post ; tkg:postIn id:kremlin , id:nato ; tkg:heldBy id:russia ; tkg:role id:cfe .",
        {
            result(ID.bad, "MaxCount", "Post-postIn"),
            result(ID.bad, "Class", "Post-heldBy", ID.russia),
            result(ID.bad, "Class", "Post-role", ID.cfe),
        },
    ),
    "bilateral-relation-one-party": (
        "BilateralRelationShape",
        "id:bad a tkg:BilateralRelation ; tkg:party id:russia .",
        {result(ID.bad, "MinCount", "BilateralRelation-party")},
    ),
    "bilateral-relation-three-parties": (
        "BilateralRelationShape",
        "id:bad a tkg:BilateralRelation ; tkg:party id:usa , id:russia , id:cfe .",
        {
            result(ID.bad, "MaxCount", "BilateralRelation-party"),
            result(ID.bad, "Class", "BilateralRelation-party", ID.cfe),
        },
    ),
    "treaty-blank-node": (
        "TreatyShape",
        "[] a tkg:Treaty .",
        {
            result(BLANK, "NodeKind", "TreatyShape", BLANK),
            result(BLANK, "Pattern", "ThingIRIShape", BLANK),
            result(BLANK, "QualifiedMinCount", "Named-englishLabel"),
        },
    ),
    "treaty-aim-is-a-state": (
        "TreatyShape",
        'id:bad a tkg:Treaty ; rdfs:label "x"@en ; tkg:aim id:russia .',
        {result(ID.bad, "Class", "Treaty-aim", ID.russia)},
    ),
    "treaty-version-of-nothing": (
        "TreatyVersionShape",
        'id:bad a tkg:TreatyVersion ; rdfs:label "x"@en .',
        {result(ID.bad, "MinCount", "TreatyVersion-versionOf")},
    ),
    "treaty-version-wrong-values": (
        "TreatyVersionShape",
        """id:bad a tkg:TreatyVersion ; rdfs:label "x"@en ; tkg:versionOf id:cfe , id:russia ;
            tkg:timeSpan id:time-2023 , id:time-2007 .""",
        {
            result(ID.bad, "MaxCount", "TreatyVersion-versionOf"),
            result(ID.bad, "Class", "TreatyVersion-versionOf", ID.russia),
            result(ID.bad, "MaxCount", "TreatyVersion-timeSpan"),
        },
    ),
    "treaty-aim-blank-node": (
        "TreatyAimShape",
        "[] a tkg:TreatyAim .",
        {
            result(BLANK, "NodeKind", "TreatyAimShape", BLANK),
            result(BLANK, "Pattern", "ThingIRIShape", BLANK),
            result(BLANK, "QualifiedMinCount", "Named-englishLabel"),
        },
    ),
    "consent-without-agent": (
        "PerformedTreatyActShape",
        f"id:bad a tkg:Accession ; {EVENT} ; tkg:treaty id:cfe ; tkg:timeSpan id:time-2023 .",
        {result(ID.bad, "MinCount", "TreatyAct-agent", severity=W)},
    ),
    "entry-into-force-with-an-agent": (
        "EntryIntoForceShape",
        f"id:bad a tkg:EntryIntoForce ; {EVENT} ; tkg:treaty id:cfe ; tkg:timeSpan id:time-2023 ; "
        "tkg:agent id:russia .",
        {result(ID.bad, "MaxCount", "EntryIntoForce-agent")},
    ),
    "entry-into-force-for-two-agents-one-not-a-state": (
        "EntryIntoForceForStateShape",
        f"id:bad a tkg:EntryIntoForceForState ; {EVENT} ; tkg:treaty id:cfe ; tkg:timeSpan id:time-2023 ; "
        "tkg:agent id:russia , id:nato .",
        {
            result(ID.bad, "MaxCount", "EntryIntoForceForState-agent"),
            result(ID.bad, "Class", "EntryIntoForceForState-agent", ID.nato),
        },
    ),
    "succession-wrong-values": (
        "SuccessionShape",
        f"id:bad a tkg:Succession ; {EVENT} ; tkg:treaty id:cfe ; tkg:timeSpan id:time-2023 ; "
        "tkg:agent id:russia , id:nato ; tkg:predecessor id:russia , id:cfe .",
        {
            result(ID.bad, "MaxCount", "Succession-agent"),
            result(ID.bad, "Class", "Succession-agent", ID.nato),
            result(ID.bad, "MaxCount", "Succession-predecessor"),
            result(ID.bad, "Class", "Succession-predecessor", ID.cfe),
            result(ID.bad, "Disjoint", "Succession-predecessor", ID.russia),
        },
    ),
    "succession-predecessor-unnamed": (
        "SuccessionShape",
        f"id:bad a tkg:Succession ; {EVENT} ; tkg:treaty id:cfe ; tkg:timeSpan id:time-2023 ; "
        "tkg:agent id:russia .",
        {result(ID.bad, "MinCount", "Succession-predecessorNamed", severity=W)},
    ),
    "acting-members-of-no-group": (
        "GroupActShape",
        f"id:bad a tkg:SuspensionOfOperation ; {EVENT} ; tkg:treaty id:cfe ; tkg:timeSpan id:time-2023 ; "
        "tkg:agent id:usa ; tkg:actingMember id:usa , id:nato .",
        {
            result(ID.bad, "Or", "GroupActShape", ID.bad),
            result(ID.bad, "Class", "Event-actingMember", ID.nato),
        },
    ),
    "account-empty": (
        "AccountShape",
        "<https://w3id.org/treatykg/id/withdrawal/account/bad> a tkg:Account .",
        {
            result(ACCOUNT, "MinCount", "Account-accountOf"),
            result(ACCOUNT, "MinCount", "FactBearing-source"),
            result(ACCOUNT, "MinCount", "FactBearing-attestedBy"),
            result(ACCOUNT, "MinCount", "Account-epistemicStatus"),
        },
    ),
    "account-wrong-values": (
        "AccountShape",
        f"""<https://w3id.org/treatykg/id/withdrawal/account/bad> a tkg:Account ; {PROV} ;
            tkg:accountOf id:withdrawal , id:russia ; tkg:epistemicStatus tkg:ReportedBySource , tkg:Party ;
            tkg:accordingTo id:cfe ; tkg:timeSpan id:time-2023 , id:time-2007 ; tkg:temporalQualifier 2023 ;
            tkg:claimsAfter id:withdrawal , id:cfe ; tkg:claimedClass tkg:Treaty ; tkg:claimedAgent id:cfe ;
            tkg:claimedObject "the CFE" ; tkg:claimedMember id:nato .""",
        {
            result(ACCOUNT, "MaxCount", "Account-accountOf"),
            result(ACCOUNT, "Class", "Account-accountOf", ID.russia),
            result(ACCOUNT, "MaxCount", "Account-epistemicStatus"),
            result(ACCOUNT, "In", "Account-epistemicStatus", TKG.Party),
            result(ACCOUNT, "Class", "Account-accordingTo", ID.cfe),
            result(ACCOUNT, "MaxCount", "Account-timeSpan"),
            result(ACCOUNT, "Datatype", "Account-temporalQualifier", Literal(2023)),
            result(ACCOUNT, "Class", "Account-claimsAfter", ID.cfe),
            result(ACCOUNT, "Disjoint", "Account-claimsAfter", ID.withdrawal),
            result(ACCOUNT, "In", "Account-claimedClass", TKG.Treaty),
            result(ACCOUNT, "Class", "Account-claimedAgent", ID.cfe),
            result(ACCOUNT, "NodeKind", "Account-claimedObject", Literal("the CFE")),
            result(ACCOUNT, "Class", "Account-claimedMember", ID.nato),
        },
    ),
    "account-attested-in-another-source": (
        "AccountShape",
        OTHER_SOURCE
        + """<https://w3id.org/treatykg/id/withdrawal/account/bad> a tkg:Account ;
            tkg:accountOf id:withdrawal ; tkg:epistemicStatus tkg:ReportedBySource ;
            tkg:attestedBy src:other-s1 ; tkg:source src:article .""",
        {
            result(ACCOUNT, "Equals", "FactBearing-spanInSource", SRC.other),
            result(ACCOUNT, "Equals", "FactBearing-spanInSource", SRC.article),
        },
    ),
    "attributed-account-without-speaker": (
        "AttributedAccountShape",
        f"""<https://w3id.org/treatykg/id/withdrawal/account/bad> a tkg:Account ; {PROV} ;
            tkg:accountOf id:withdrawal ; tkg:epistemicStatus tkg:AttributedToSpeaker .""",
        {result(ACCOUNT, "Or", "AttributedAccountShape", ACCOUNT)},
    ),
    "decision-empty": (
        "DecisionShape",
        "id:bad a tkg:Decision .",
        {
            result(ID.bad, "MinCount", "Decision-decisionOn"),
            result(ID.bad, "MinCount", "Decision-rank"),
            result(ID.bad, "MinCount", "Decision-reason"),
            result(ID.bad, "MinCount", "Decision-curator"),
            result(ID.bad, "MinCount", "Decision-time"),
        },
    ),
    "decision-wrong-values": (
        "DecisionShape",
        """@prefix prov: <http://www.w3.org/ns/prov#> .
            id:bad a tkg:Decision ; tkg:decisionOn id:withdrawal ; tkg:rank tkg:Preferred , tkg:Deprecated ;
            tkg:reason "" ; prov:wasAssociatedWith id:cfe ; prov:endedAtTime "2026-12-06"^^xsd:date .""",
        {
            result(ID.bad, "Class", "Decision-decisionOn", ID.withdrawal),
            result(ID.bad, "MaxCount", "Decision-rank"),
            result(ID.bad, "MinLength", "Decision-reason", Literal("")),
            result(ID.bad, "Class", "Decision-curator", ID.cfe),
            result(ID.bad, "Datatype", "Decision-time", Literal("2026-12-06", datatype=XSD.date)),
        },
    ),
    "conflict-empty": (
        "ConflictShape",
        "id:bad a tkg:Conflict .",
        {
            result(ID.bad, "MinCount", "Conflict-conflictKind"),
            result(ID.bad, "MinCount", "Conflict-conflictAbout"),
            result(ID.bad, "MinCount", "Conflict-involvesAccount"),
        },
    ),
    "conflict-wrong-values": (
        "ConflictShape",
        """id:bad a tkg:Conflict ; tkg:conflictKind tkg:Disputed ; tkg:conflictAbout id:cfe ;
            tkg:involvesAccount <https://w3id.org/treatykg/id/withdrawal/account/article> .""",
        {
            result(ID.bad, "In", "Conflict-conflictKind", TKG.Disputed),
            result(ID.bad, "Class", "Conflict-conflictAbout", ID.cfe),
            result(ID.bad, "MinCount", "Conflict-involvesAccount"),
            result(ID.bad, "Equals", "Conflict-accountsOfItsActs", ID.withdrawal),
            result(ID.bad, "Equals", "Conflict-accountsOfItsActs", ID.cfe),
        },
    ),
    "status-interval-empty": (
        "StatusIntervalShape",
        "id:bad a tkg:StatusInterval .",
        {
            result(ID.bad, "Or", "StatusIntervalShape", ID.bad),
            result(ID.bad, "MinCount", "StatusInterval-statusOf"),
            result(ID.bad, "MinCount", "StatusInterval-treaty"),
            result(ID.bad, "MinCount", "StatusInterval-status"),
        },
    ),
    "status-interval-wrong-values": (
        "StatusIntervalShape",
        """id:bad a tkg:StatusInterval ; tkg:statusOf id:nato ; tkg:treaty id:cfe , id:adapted-cfe ;
            tkg:status tkg:Withdrawn , tkg:Deprecated ; tkg:precision time:unitHour ;
            tkg:startEarliest "2024-01-01T00:00:00Z"^^xsd:dateTime , "2024-02-01T00:00:00Z"^^xsd:dateTime ;
            tkg:startLatest "2023-12-31T23:59:59Z"^^xsd:dateTime ;
            tkg:endEarliest "2023-07-01T00:00:00Z"^^xsd:dateTime ;
            tkg:endLatest "2023-06-30T00:00:00Z"^^xsd:dateTime , "2023-07-31T00:00:00Z"^^xsd:dateTime ;
            tkg:supportedBy id:cfe , id:withdrawal .""",
        {
            result(ID.bad, "Class", "StatusInterval-statusOf", ID.nato),
            result(ID.bad, "MaxCount", "StatusInterval-treaty"),
            result(ID.bad, "MaxCount", "StatusInterval-status"),
            result(ID.bad, "In", "StatusInterval-status", TKG.Deprecated),
            result(ID.bad, "In", "StatusInterval-precision", TIME.unitHour),
            result(ID.bad, "MaxCount", "StatusInterval-startEarliest"),
            result(ID.bad, "LessThanOrEquals", "StatusInterval-startOrder", dt("2024-01-01T00:00:00Z")),
            result(ID.bad, "LessThanOrEquals", "StatusInterval-startOrder", dt("2024-02-01T00:00:00Z")),
            result(ID.bad, "MaxCount", "StatusInterval-endLatest"),
            result(ID.bad, "LessThanOrEquals", "StatusInterval-endOrder", dt("2023-07-01T00:00:00Z")),
            result(ID.bad, "LessThanOrEquals", "StatusInterval-earliestOrder", dt("2024-01-01T00:00:00Z")),
            result(ID.bad, "LessThanOrEquals", "StatusInterval-earliestOrder", dt("2024-02-01T00:00:00Z")),
            result(ID.bad, "LessThanOrEquals", "StatusInterval-latestOrder", dt("2023-12-31T23:59:59Z")),
            result(ID.bad, "Or", "StatusInterval-supportedBy", ID.cfe),
        },
    ),
    "status-interval-bounds-not-date-times": (
        "StatusIntervalShape",
        # No bound these two are compared with: a year does not compare with a date-time.
        "id:bad a tkg:StatusInterval ; tkg:statusOf id:russia ; tkg:treaty id:cfe ; tkg:status tkg:Unknown ; "
        'tkg:startLatest "2023"^^xsd:gYear ; tkg:endEarliest "2024"^^xsd:gYear .',
        {
            result(ID.bad, "Datatype", "StatusInterval-startLatest", Literal("2023", datatype=XSD.gYear)),
            result(ID.bad, "Datatype", "StatusInterval-endEarliest", Literal("2024", datatype=XSD.gYear)),
        },
    ),
    "curated-note-cites-nothing": (
        "CuratedNoteShape",
        'src:bad a tkg:CuratedNote ; rdfs:label "Bad note"@en ; tkg:fullText "x" ; '
        'tkg:textSha256 "' + "0" * 64 + '" ; tkg:url "https://example.org/bad" .',
        {
            result(SRC.bad, "MinCount", "CuratedNote-citesReference"),
            result(SRC.bad, "Datatype", "Published-url", Literal("https://example.org/bad")),
        },
    ),
    "curated-note-cites-a-source": (
        "CuratedNoteShape",
        'src:bad a tkg:CuratedNote ; rdfs:label "Bad note"@en ; tkg:fullText "x" ; '
        'tkg:textSha256 "' + "0" * 64 + '" ; tkg:citesReference src:article .',
        {result(SRC.bad, "Class", "CuratedNote-citesReference", SRC.article)},
    ),
    "reference-blank-node-without-metadata": (
        "ReferenceShape",
        '@prefix dcterms: <http://purl.org/dc/terms/> . [] a tkg:Reference ; dcterms:date "1990" , "1992" .',
        {
            result(BLANK, "NodeKind", "ReferenceShape", BLANK),
            result(BLANK, "Pattern", "SourceIRIShape", BLANK),
            result(BLANK, "MinCount", "Reference-title"),
            result(BLANK, "MinCount", "Reference-publisher"),
            result(BLANK, "MaxCount", "Reference-date"),
        },
    ),
    "reference-values-not-literals": (
        "ReferenceShape",
        """@prefix dcterms: <http://purl.org/dc/terms/> .
            src:note\\/reference\\/bad a tkg:Reference ; dcterms:title id:cfe ; dcterms:publisher id:nato ;
                dcterms:date id:time-2023 .""",
        {
            result(NOTE_REFERENCE, "NodeKind", "Reference-title", ID.cfe),
            result(NOTE_REFERENCE, "NodeKind", "Reference-publisher", ID.nato),
            result(NOTE_REFERENCE, "NodeKind", "Reference-date", ID["time-2023"]),
        },
    ),
}

# Additions to the valid fixture that must add no result at all.
CONFORMING = {
    # Every account deprecated: nothing is reconciled, the act has no status and is a claim only.
    "every-account-deprecated-no-status": (
        f"""id:claimed a tkg:Invasion ; rdfs:label "an invasion"@en ; tkg:agent id:russia ;
            tkg:timeSpan id:time-2023 .
            <https://w3id.org/treatykg/id/claimed/account/article> a tkg:Account ; {PROV} ;
                tkg:accountOf id:claimed ; tkg:epistemicStatus tkg:ReportedBySource .
            id:decision-claimed a tkg:Decision ;
                tkg:decisionOn <https://w3id.org/treatykg/id/claimed/account/article> ;
                tkg:rank tkg:Deprecated ; tkg:reason "Misread." ; prov:wasAssociatedWith id:curator ;
                prov:endedAtTime "2026-12-06T10:00:00Z"^^xsd:dateTime ."""
    ),
    "unknown-status-open-and-unsupported": (
        "id:s a tkg:StatusInterval ; tkg:statusOf id:usa ; tkg:treaty id:cfe ; tkg:status tkg:Unknown ."
    ),
    "status-start-and-end-windows-overlap": (
        "id:s a tkg:StatusInterval ; tkg:statusOf id:russia ; tkg:treaty id:cfe ; "
        "tkg:status tkg:Indeterminate ; "
        'tkg:startEarliest "2007-01-01T00:00:00Z"^^xsd:dateTime ; '
        'tkg:startLatest "2007-12-31T23:59:59Z"^^xsd:dateTime ; '
        'tkg:endEarliest "2007-06-01T00:00:00Z"^^xsd:dateTime ; tkg:supportedBy id:suspension-2007 .'
    ),
    "order-cycle-over-two-acts": (
        "id:c a tkg:Conflict ; tkg:conflictKind tkg:OrderCycle ; "
        "tkg:conflictAbout id:withdrawal , id:ratification ; "
        "tkg:involvesAccount <https://w3id.org/treatykg/id/withdrawal/account/article> , "
        "<https://w3id.org/treatykg/id/ratification/account/article> . "
        f"<https://w3id.org/treatykg/id/ratification/account/article> a tkg:Account ; {PROV} ; "
        "tkg:accountOf id:ratification ; tkg:epistemicStatus tkg:Hypothetical ; "
        "tkg:claimsAfter id:withdrawal ."
    ),
    "ordered-only-as-the-object-of-happenedBefore": (
        f"id:act a tkg:Invasion ; {EVENT} ; tkg:agent id:russia . id:withdrawal tkg:happenedBefore id:act ."
    ),
    "integer-offsets-and-positions": (
        'src:article-s9 a tkg:Sentence ; tkg:exact "CFE news" ; tkg:start 0 ; tkg:end 8 ; tkg:position 9 ; '
        "tkg:inSource src:article ."
    ),
    "instant-time-span": (
        'id:t a tkg:TimeSpan ; tkg:earliest "2023-11-07T00:00:00Z"^^xsd:dateTime ; '
        'tkg:latest "2023-11-07T00:00:00Z"^^xsd:dateTime ; tkg:precision time:unitDay .'
    ),
    "labels-in-several-languages": 'id:russia rdfs:label "Russland"@de .',
}


@pytest.fixture
def shapes() -> Graph:
    """The shapes for the default base, fresh per test: pySHACL adds triples to a shapes graph it uses."""
    return load_shapes()


@pytest.fixture(scope="module")
def ontology() -> Graph:
    """The packaged ontology."""
    return load_ontology()


def valid_plus(turtle: str = "") -> Graph:
    """The valid fixture with `turtle` added."""
    graph = Graph().parse(VALID, format="turtle")
    return graph.parse(data=PREFIXES + turtle, format="turtle")


def observed(report) -> set[tuple]:
    """The report's results as (focus, component, severity, source shape, value), blank nodes as BLANK."""
    return {
        tuple(
            BLANK if isinstance(term, BNode) else term
            for term in (r.focus, r.component, r.severity, r.source_shape, r.value)
        )
        for r in report.results
    }


def node_shapes(shapes: Graph) -> set[URIRef]:
    """Every named node shape."""
    return set(shapes.subjects(RDF.type, SH.NodeShape))


def constraint_shapes(shapes: Graph) -> set[URIRef]:
    """Every named shape that has a constraint of its own (and so a result source)."""
    return {
        shape
        for shape in shapes.subjects(RDF.type, None)
        if isinstance(shape, URIRef) and any((shape, p, None) in shapes for p in CONSTRAINT_PARAMETERS)
    }


def subclasses(ontology: Graph, cls: URIRef) -> set[URIRef]:
    """`cls` and its subclasses in the ontology."""
    return set(ontology.transitive_subjects(RDFS.subClassOf, cls))


# --- the shapes graph itself ---


def test_shapes_parse_and_use_their_own_namespace(shapes):
    named = {
        s
        for s in shapes.subjects(RDF.type, None)
        if (s, RDF.type, SH.NodeShape) in shapes or (s, RDF.type, SH.PropertyShape) in shapes
    }
    assert len(named) > 50
    assert all(str(shape).startswith(str(TKGSH)) for shape in named)


@pytest.mark.slow
def test_shapes_are_valid_shacl(shapes):
    shacl_shacl = Graph().parse(SHACL_SHACL, format="turtle")
    conforms, _, text = pyshacl.validate(shapes, shacl_graph=shacl_shacl, inference="none")
    assert conforms, text
    # The same check through pySHACL's meta_shacl option, as a caller would run it.
    conforms, _, text = pyshacl.validate(Graph(), shacl_graph=shapes, meta_shacl=True)
    assert conforms, text


def test_meta_shacl_check_catches_a_broken_shape():
    broken = Graph().parse(
        data=PREFIXES
        + """@prefix sh: <http://www.w3.org/ns/shacl#> .
        <https://w3id.org/treatykg/shapes#Broken> a sh:NodeShape ; sh:targetClass tkg:Event ;
            sh:property [ sh:path tkg:agent ; sh:minCount "one" ] .""",
        format="turtle",
    )
    shacl_shacl = Graph().parse(SHACL_SHACL, format="turtle")
    conforms, _, _ = pyshacl.validate(broken, shacl_graph=shacl_shacl, inference="none")
    assert not conforms


def test_shapes_use_shacl_core_only(shapes):
    assert (None, SH.sparql, None) not in shapes
    assert (None, SH.select, None) not in shapes


def test_every_constraint_carries_an_english_message(shapes):
    missing = sorted(
        shape
        for shape in constraint_shapes(shapes)
        if not any(getattr(m, "language", None) == "en" for m in shapes.objects(shape, SH.message))
    )
    assert missing == []


def test_every_property_shape_is_named(shapes):
    # A named source shape is what lets another validator's results be compared with pySHACL's.
    assert all(isinstance(shape, URIRef) for shape in shapes.objects(None, SH.property))


def test_every_shape_is_labelled_and_commented(shapes):
    named = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    unlabelled = sorted(
        s for s in named if shapes.value(s, RDFS.label) is None or shapes.value(s, RDFS.comment) is None
    )
    assert unlabelled == []


def test_every_target_is_a_project_class(shapes, ontology):
    targets = set(shapes.objects(None, SH.targetClass))
    assert targets
    assert all(str(target).startswith(str(TKG)) for target in targets)
    assert all((target, RDF.type, OWL.Class) in ontology for target in targets)
    assert not any(
        (None, p, None) in shapes for p in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
    )


def test_shapes_name_only_terms_the_ontology_declares(shapes, ontology):
    used = {term for triple in shapes for term in triple if isinstance(term, URIRef) and term.startswith(TKG)}
    undeclared = sorted(term for term in used if (term, RDF.type, None) not in ontology)
    assert undeclared == []


def test_every_project_class_has_an_iri_pattern(shapes, ontology):
    # Epistemic statuses, ranks, conflict kinds and treaty statuses are the ontology's own named individuals,
    # not data, so their classes are exempt.
    covered = set()
    for shape in (TKGSH.ThingIRIShape, TKGSH.SourceIRIShape):
        for target in shapes.objects(shape, SH.targetClass):
            covered |= subclasses(ontology, target)
    classes = {
        c for c in ontology.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef) and c.startswith(TKG)
    }
    assert sorted(classes - covered) == [TKG.ConflictKind, TKG.EpistemicStatus, TKG.Rank, TKG.TreatyStatus]


def test_functional_properties_have_max_count_one(shapes, ontology):
    functional = {p for p in ontology.subjects(RDF.type, OWL.FunctionalProperty) if p.startswith(TKG)}
    capped = {shapes.value(s, SH.path) for s in shapes.subjects(SH.maxCount, Literal(1))}
    assert sorted(functional - capped) == []


def test_ranges_are_checked_as_the_ontology_declares(shapes, ontology):
    # Every tkg property with a declared range has a shape checking it: sh:class for classes, sh:datatype
    # (directly or in the sh:or that also admits the store's xsd:integer) for datatypes, sh:in for precision.
    checked: dict[URIRef, set] = {}
    for shape in shapes.subjects(SH.path, None):
        path = shapes.value(shape, SH.path)
        kinds = set(shapes.objects(shape, SH["class"])) | set(shapes.objects(shape, SH.datatype))
        for alternatives in shapes.objects(shape, SH["or"]):
            kinds |= {shapes.value(member, SH.datatype) for member in Collection(shapes, alternatives)}
        if (shape, SH["in"], None) in shapes:
            kinds.add(SH["in"])
        checked.setdefault(path, set()).update(kinds)
    unchecked = []
    for prop, rng in ontology.subject_objects(RDFS.range):
        if (
            prop.startswith(TKG)
            and rng not in checked.get(prop, set())
            and SH["in"] not in checked.get(prop, ())
        ):
            unchecked.append((prop, rng))
    assert sorted(unchecked) == []


def test_a_claimed_class_is_any_act_class_of_the_ontology(shapes, ontology):
    listed = set(Collection(shapes, shapes.value(TKGSH["Account-claimedClass"], SH["in"])))
    assert listed == subclasses(ontology, TKG.TreatyAct) | subclasses(ontology, TKG.MilitaryAct)


def test_every_treaty_act_class_but_entry_into_force_warns_without_an_agent(shapes, ontology):
    performed = set()
    for target in shapes.objects(TKGSH.PerformedTreatyActShape, SH.targetClass):
        performed |= subclasses(ontology, target)
    assert subclasses(ontology, TKG.TreatyAct) - performed == {TKG.TreatyAct, TKG.EntryIntoForce}


# --- conforming and violating data ---


def test_valid_fixture_conforms_with_no_result_at_all():
    report = validate(valid_plus())
    assert report.conforms
    assert report.results == ()


def test_valid_fixture_exercises_every_targeted_shape(shapes, ontology):
    data = valid_plus()
    untested = []
    for shape in node_shapes(shapes):
        targets = set(shapes.objects(shape, SH.targetClass))
        instances = {
            s
            for target in targets
            for cls in subclasses(ontology, target)
            for s in data.subjects(RDF.type, cls)
        }
        if targets and not instances:
            untested.append(shape)
    assert untested == []


@pytest.mark.slow  # pySHACL once per case: 66 cases, about 12 s
@pytest.mark.parametrize("case", sorted(VIOLATING))
def test_violating_case_reports_exactly_its_results(case):
    _, turtle, expected = VIOLATING[case]
    report = validate(valid_plus(turtle))
    assert observed(report) == expected
    assert report.conforms == (V not in {severity for _, _, severity, _, _ in expected})
    assert all(r.message for r in report.results)


@pytest.mark.parametrize("case", sorted(CONFORMING))
def test_conforming_case_adds_no_result(case):
    report = validate(valid_plus(CONFORMING[case]))
    assert report.results == ()


def test_every_node_shape_has_a_violating_case(shapes):
    assert {TKGSH[shape] for shape, _, _ in VIOLATING.values()} == node_shapes(shapes)


def test_every_constraint_shape_is_seen_failing(shapes):
    # The hypothetical-event property shape reports through its sh:node parents (Linkage-linked*), the
    # deprecated-account one through EventStatusShape's sh:or.
    seen = {shape for _, _, expected in VIOLATING.values() for _, _, _, shape, _ in expected}
    assert constraint_shapes(shapes) - seen == {
        TKGSH["HypotheticalEvent-epistemicStatus"],
        TKGSH["DeprecatedAccount-rank"],
    }


def test_warnings_are_reported_but_do_not_block():
    report = validate(valid_plus(f"id:bad a tkg:Withdrawal ; {EVENT} ; tkg:treaty id:cfe ."))
    assert report.conforms
    assert report.violations == ()
    assert {r.source_shape for r in report.warnings} == {TKGSH["TreatyAct-agent"], TKGSH["Act-placedInTime"]}
    placed = next(r for r in report.warnings if r.source_shape == TKGSH["Act-placedInTime"])
    assert placed.path == (
        f"(<{TKG.timeSpan}>|<{TKG.happenedAfter}>|<{TKG.happenedBefore}>"
        f"|^<{TKG.happenedAfter}>|^<{TKG.happenedBefore}>)"
    )


def test_conforms_agrees_with_pyshacl(shapes, ontology):
    for turtle in ("", VIOLATING["treaty-act-no-agent-undated-unordered"][1], VIOLATING["post-empty"][1]):
        data = valid_plus(turtle)
        ours = validate(data).conforms
        theirs, _, _ = pyshacl.validate(
            data,
            shacl_graph=shapes,
            ont_graph=ontology,
            inference="none",
            allow_warnings=True,
            allow_infos=True,
        )
        assert ours == theirs


def test_data_using_no_project_class_is_unconstrained():
    data = Graph().parse(
        data="""
        @prefix ex: <http://example.org/> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .
        ex:s ex:p "o" ; ex:q [ ex:r 1 ] . _:x a foaf:Person ; foaf:name "Alice" .
        ex:e <https://w3id.org/treatykg/ontology#source> ex:nowhere .""",
        format="turtle",
    )
    report = validate(data)
    assert report.conforms
    assert report.results == ()


def test_the_ontology_itself_is_unconstrained(ontology):
    assert validate(ontology).results == ()


def test_no_rdfs_inference_so_range_cannot_satisfy_class():
    # With RDFS inference, rdfs:range would type the untyped value a tkg:Source and hide this violation.
    report = validate(
        valid_plus("""id:bad a tkg:Situation ; rdfs:label "x"@en ;
        tkg:epistemicStatus tkg:ReportedBySource ; tkg:attestedBy src:article-s1 ;
        tkg:source src:untyped .""")
    )
    assert result(ID.bad, "Class", "Event-source", SRC.untyped) in observed(report)


def test_a_dataset_is_validated_as_the_union_of_its_graphs():
    dataset = Dataset()
    events = dataset.graph(URIRef(BASE + "graph/events"))
    sources = dataset.graph(URIRef(BASE + "graph/sources"))
    for triple in valid_plus():
        (sources if str(triple[0]).startswith(str(SRC)) else events).add(triple)
    report = validate(dataset)
    assert report.results == ()


def test_data_read_back_from_the_oxigraph_store_still_conforms():
    # The store keeps xsd:nonNegativeInteger and xsd:positiveInteger as xsd:integer and rewrites date-times;
    # the shapes must give the same answer for data read back from it as for the file.
    store = pyoxigraph.Store()
    store.load(VALID.read_bytes(), format=pyoxigraph.RdfFormat.TURTLE)
    dumped = store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.DefaultGraph())
    read_back = Graph().parse(data=dumped.decode("utf-8"), format="nt")
    assert (None, TKG.start, Literal("9", datatype=XSD.integer)) in read_back
    assert validate(read_back).results == ()


def test_validation_leaves_the_data_graph_unchanged():
    data = valid_plus("id:bad a tkg:Post .")
    before = len(data)
    validate(data)
    assert len(data) == before


# --- the IRI base parameter ---


def test_synthetic_base_accepts_synthetic_iris_and_rejects_real_ones():
    synthetic = f'<{SYNTHETIC_BASE}id/state/x> a tkg:State ; rdfs:label "X"@en .'
    data = Graph().parse(data=PREFIXES + synthetic, format="turtle")
    assert validate(data, base=SYNTHETIC_BASE).results == ()
    focus = URIRef(SYNTHETIC_BASE + "id/state/x")
    assert observed(validate(data)) == {result(focus, "Pattern", "ThingIRIShape", focus)}
    assert not validate(valid_plus(), base=SYNTHETIC_BASE).conforms


def test_base_rewrites_only_the_instance_iri_patterns(shapes):
    synthetic = load_shapes(SYNTHETIC_BASE)
    changed = set(synthetic.subject_objects(SH.pattern)) - set(shapes.subject_objects(SH.pattern))
    assert changed == {
        (TKGSH.ThingIRIShape, Literal(r"^https://example\.org/treatykg-synthetic/id/")),
        (TKGSH.SourceIRIShape, Literal(r"^https://example\.org/treatykg-synthetic/source/")),
    }
    assert len(synthetic) == len(shapes)


def test_base_is_matched_literally_not_as_a_regex():
    base = "https://example.org/a+b.c/"
    data = Graph().parse(
        data=PREFIXES
        + """
        <https://example.org/a+b.c/id/ok> a tkg:Role . <https://example.org/aab-c/id/no> a tkg:Role .""",
        format="turtle",
    )
    failing = {r.focus for r in validate(data, base=base).violations}
    assert failing == {URIRef("https://example.org/aab-c/id/no")}


def test_regex_escape_uses_only_escapes_xpath_accepts():
    assert regex_escape("https://w3id.org/treatykg/") == r"https://w3id\.org/treatykg/"
    assert regex_escape("https://example.org/~me/#x&y/") == r"https://example\.org/~me/#x&y/"
    assert regex_escape("a.b+c*d?(e)[f]{g}|h^i$j\\") == r"a\.b\+c\*d\?\(e\)\[f\]\{g\}\|h\^i\$j\\"


@pytest.mark.parametrize(
    "base",
    ["w3id.org/treatykg/", "https://w3id.org/treatykg", "ftp://x.org/", "https:///x/", "https://x.org/?q=1/"],
)
def test_a_base_that_is_not_an_absolute_http_iri_ending_in_slash_is_refused(base):
    with pytest.raises(ValueError, match="IRI base"):
        load_shapes(base)


# --- errors ---


def test_a_syntax_error_in_the_shapes_names_file_and_line(tmp_path, monkeypatch):
    broken = tmp_path / "shapes.ttl"
    broken.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n\n<a> sh:path ;; .\n", encoding="utf-8")
    monkeypatch.setattr(resources, "shapes_file", lambda: broken)
    with pytest.raises(InputError) as error:
        load_shapes()
    assert str(error.value).startswith(f"{broken}:3:")
