--
-- PostgreSQL database dump
--

\restrict enSbyX39cJj79e4akqa5t0ix5FCeKbZ1bMcOiOd6zZtuBKL1Ob0IVJDWZp0Pqh9

-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: alembic_version; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.alembic_version (
    version_num character varying(32) NOT NULL
);


--
-- Name: answer_revisions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.answer_revisions (
    id integer NOT NULL,
    answer_id integer NOT NULL,
    body text NOT NULL,
    body_html text NOT NULL,
    written_at timestamp without time zone NOT NULL
);


--
-- Name: answer_revisions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.answer_revisions_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: answer_revisions_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.answer_revisions_id_seq OWNED BY public.answer_revisions.id;


--
-- Name: answers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.answers (
    id integer NOT NULL,
    question_id integer NOT NULL,
    person_id integer NOT NULL,
    body text NOT NULL,
    body_html text NOT NULL,
    created_at timestamp without time zone NOT NULL,
    edited_at timestamp without time zone,
    hidden_reason character varying(200) DEFAULT ''::character varying NOT NULL
);


--
-- Name: answers_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.answers_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: answers_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.answers_id_seq OWNED BY public.answers.id;


--
-- Name: api_tokens; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_tokens (
    id integer NOT NULL,
    person_id integer NOT NULL,
    label character varying(80) NOT NULL,
    token_hash character varying(64) NOT NULL,
    created_at timestamp without time zone NOT NULL,
    last_used_at timestamp without time zone,
    revoked_at timestamp without time zone
);


--
-- Name: api_tokens_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.api_tokens_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: api_tokens_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.api_tokens_id_seq OWNED BY public.api_tokens.id;


--
-- Name: contact_requests; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.contact_requests (
    id integer NOT NULL,
    question_id integer NOT NULL,
    answer_id integer,
    person_id integer NOT NULL,
    email character varying(254) NOT NULL,
    company character varying(120) NOT NULL,
    job_role character varying(120) NOT NULL,
    consented_at timestamp without time zone NOT NULL,
    created_at timestamp without time zone NOT NULL,
    handled_at timestamp without time zone
);


--
-- Name: contact_requests_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.contact_requests_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: contact_requests_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.contact_requests_id_seq OWNED BY public.contact_requests.id;


--
-- Name: curated_picks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.curated_picks (
    id integer NOT NULL,
    entry_id integer,
    person_id integer,
    slug character varying(80) NOT NULL,
    title character varying(300) NOT NULL,
    source_url character varying(2000),
    note text NOT NULL,
    topics character varying(500) NOT NULL,
    market boolean NOT NULL,
    path character varying(300) NOT NULL,
    created_at timestamp without time zone NOT NULL
);


--
-- Name: curated_picks_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.curated_picks_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: curated_picks_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.curated_picks_id_seq OWNED BY public.curated_picks.id;


--
-- Name: feed_entries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.feed_entries (
    id integer NOT NULL,
    feed_id integer NOT NULL,
    key character varying(500) NOT NULL,
    link character varying(2000),
    title character varying(300) NOT NULL,
    author character varying(200) NOT NULL,
    summary_html text NOT NULL,
    published_at timestamp without time zone NOT NULL,
    fetched_at timestamp without time zone NOT NULL,
    state character varying(16) NOT NULL
);


--
-- Name: feed_entries_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.feed_entries_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: feed_entries_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.feed_entries_id_seq OWNED BY public.feed_entries.id;


--
-- Name: feeds; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.feeds (
    id integer NOT NULL,
    url character varying(2000) NOT NULL,
    title character varying(300) NOT NULL,
    topic_id integer,
    etag character varying(300),
    last_modified character varying(100),
    status character varying(16) NOT NULL,
    message text NOT NULL,
    fetched_at timestamp without time zone,
    created_at timestamp without time zone NOT NULL
);


--
-- Name: feeds_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.feeds_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: feeds_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.feeds_id_seq OWNED BY public.feeds.id;


--
-- Name: follow_ups; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.follow_ups (
    id integer NOT NULL,
    question_id integer NOT NULL,
    body text NOT NULL,
    body_html text NOT NULL,
    created_at timestamp without time zone NOT NULL,
    status character varying(16) DEFAULT 'published'::character varying NOT NULL,
    hold_reason character varying(200) DEFAULT ''::character varying NOT NULL
);


--
-- Name: follow_ups_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.follow_ups_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: follow_ups_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.follow_ups_id_seq OWNED BY public.follow_ups.id;


--
-- Name: imported_answers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.imported_answers (
    id integer NOT NULL,
    question_id integer NOT NULL,
    site character varying(120) NOT NULL,
    source_id integer NOT NULL,
    source_url character varying(255) NOT NULL,
    author character varying(120) NOT NULL,
    author_url character varying(255),
    body_html text NOT NULL,
    accepted boolean NOT NULL,
    created_at timestamp without time zone NOT NULL
);


--
-- Name: imported_answers_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.imported_answers_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: imported_answers_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.imported_answers_id_seq OWNED BY public.imported_answers.id;


--
-- Name: imported_questions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.imported_questions (
    question_id integer NOT NULL,
    site character varying(120) NOT NULL,
    source_id integer NOT NULL,
    source_url character varying(255) NOT NULL
);


--
-- Name: moderation_actions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.moderation_actions (
    id integer NOT NULL,
    action character varying(16) NOT NULL,
    target character varying(40) NOT NULL,
    reason character varying(200) NOT NULL,
    created_at timestamp without time zone NOT NULL
);


--
-- Name: moderation_actions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.moderation_actions_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: moderation_actions_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.moderation_actions_id_seq OWNED BY public.moderation_actions.id;


--
-- Name: notification_emails; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.notification_emails (
    id integer NOT NULL,
    question_id integer NOT NULL,
    email character varying(254) NOT NULL,
    confirmed_at timestamp without time zone,
    active boolean NOT NULL,
    created_at timestamp without time zone NOT NULL,
    topic_news boolean DEFAULT false NOT NULL
);


--
-- Name: notification_emails_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.notification_emails_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: notification_emails_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.notification_emails_id_seq OWNED BY public.notification_emails.id;


--
-- Name: outreach; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.outreach (
    id integer NOT NULL,
    sender_id integer,
    item_kind character varying(16) NOT NULL,
    item_ref character varying(255) NOT NULL,
    note text NOT NULL,
    sent integer NOT NULL,
    created_at timestamp without time zone NOT NULL
);


--
-- Name: outreach_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.outreach_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: outreach_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.outreach_id_seq OWNED BY public.outreach.id;


--
-- Name: outreach_recipients; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.outreach_recipients (
    outreach_id integer NOT NULL,
    consent_id integer NOT NULL
);


--
-- Name: person_topics; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.person_topics (
    person_id integer NOT NULL,
    topic_id integer NOT NULL
);


--
-- Name: persons; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.persons (
    id integer NOT NULL,
    slug character varying(80) NOT NULL,
    name character varying(120) NOT NULL,
    job_title character varying(120) NOT NULL,
    email character varying(254) NOT NULL,
    password_hash character varying(255) NOT NULL,
    photo character varying(255),
    bio text NOT NULL,
    roles character varying(120) NOT NULL,
    active boolean NOT NULL,
    created_at timestamp without time zone NOT NULL
);


--
-- Name: persons_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.persons_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: persons_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.persons_id_seq OWNED BY public.persons.id;


--
-- Name: question_revisions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.question_revisions (
    id integer NOT NULL,
    question_id integer NOT NULL,
    title character varying(200) NOT NULL,
    body text NOT NULL,
    body_html text NOT NULL,
    written_at timestamp without time zone NOT NULL
);


--
-- Name: question_revisions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.question_revisions_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: question_revisions_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.question_revisions_id_seq OWNED BY public.question_revisions.id;


--
-- Name: questions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.questions (
    id integer NOT NULL,
    title character varying(200) NOT NULL,
    body text NOT NULL,
    body_html text NOT NULL,
    display_name character varying(80) NOT NULL,
    topic_id integer,
    person_id integer,
    manage_token_hash character varying(64) NOT NULL,
    status character varying(16) NOT NULL,
    accepted_answer_id integer,
    created_at timestamp without time zone NOT NULL,
    edited_at timestamp without time zone,
    hold_reason character varying(200) DEFAULT ''::character varying NOT NULL,
    assignee_id integer,
    reminded_at timestamp without time zone,
    escalated_at timestamp without time zone
);


--
-- Name: questions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.questions_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: questions_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.questions_id_seq OWNED BY public.questions.id;


--
-- Name: search_documents; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.search_documents (
    doc_id text NOT NULL,
    kind text NOT NULL,
    title text NOT NULL,
    body text NOT NULL,
    url text NOT NULL,
    meta text DEFAULT ''::text NOT NULL,
    topics text[] DEFAULT '{}'::text[] NOT NULL,
    answered boolean DEFAULT false NOT NULL,
    tsv tsvector NOT NULL
);


--
-- Name: search_gaps; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.search_gaps (
    query character varying(200) NOT NULL,
    misses integer NOT NULL,
    first_at timestamp without time zone NOT NULL,
    last_at timestamp without time zone NOT NULL
);


--
-- Name: search_outbox; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.search_outbox (
    id integer NOT NULL,
    kind character varying(16) NOT NULL,
    ref character varying(255) NOT NULL,
    created_at timestamp without time zone NOT NULL,
    done_at timestamp without time zone
);


--
-- Name: search_outbox_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.search_outbox_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: search_outbox_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.search_outbox_id_seq OWNED BY public.search_outbox.id;


--
-- Name: search_synonyms; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.search_synonyms (
    id integer NOT NULL,
    term character varying(120) NOT NULL,
    expansion character varying(200) NOT NULL
);


--
-- Name: search_synonyms_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.search_synonyms_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: search_synonyms_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.search_synonyms_id_seq OWNED BY public.search_synonyms.id;


--
-- Name: settings; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.settings (
    key character varying(64) NOT NULL,
    value text NOT NULL
);


--
-- Name: topics; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.topics (
    id integer NOT NULL,
    slug character varying(80) NOT NULL,
    name character varying(120) NOT NULL,
    description text NOT NULL,
    response_target_hours integer DEFAULT 4 NOT NULL,
    working_hours character varying(120) DEFAULT ''::character varying NOT NULL,
    quiet_days integer DEFAULT 14 NOT NULL,
    owner_id integer
);


--
-- Name: topics_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.topics_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: topics_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.topics_id_seq OWNED BY public.topics.id;


--
-- Name: webhook_deliveries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.webhook_deliveries (
    id integer NOT NULL,
    endpoint_id integer NOT NULL,
    event character varying(40) NOT NULL,
    payload text NOT NULL,
    created_at timestamp without time zone NOT NULL,
    attempts integer NOT NULL,
    next_attempt_at timestamp without time zone NOT NULL,
    delivered_at timestamp without time zone,
    gave_up_at timestamp without time zone,
    last_status character varying(200) NOT NULL
);


--
-- Name: webhook_deliveries_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.webhook_deliveries_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: webhook_deliveries_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.webhook_deliveries_id_seq OWNED BY public.webhook_deliveries.id;


--
-- Name: webhook_endpoints; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.webhook_endpoints (
    id integer NOT NULL,
    url character varying(2000) NOT NULL,
    secret character varying(64) NOT NULL,
    events character varying(200) NOT NULL,
    active boolean NOT NULL,
    created_at timestamp without time zone NOT NULL,
    last_status character varying(200) NOT NULL,
    last_attempt_at timestamp without time zone
);


--
-- Name: webhook_endpoints_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.webhook_endpoints_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: webhook_endpoints_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.webhook_endpoints_id_seq OWNED BY public.webhook_endpoints.id;


--
-- Name: answer_revisions id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.answer_revisions ALTER COLUMN id SET DEFAULT nextval('public.answer_revisions_id_seq'::regclass);


--
-- Name: answers id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.answers ALTER COLUMN id SET DEFAULT nextval('public.answers_id_seq'::regclass);


--
-- Name: api_tokens id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_tokens ALTER COLUMN id SET DEFAULT nextval('public.api_tokens_id_seq'::regclass);


--
-- Name: contact_requests id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contact_requests ALTER COLUMN id SET DEFAULT nextval('public.contact_requests_id_seq'::regclass);


--
-- Name: curated_picks id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.curated_picks ALTER COLUMN id SET DEFAULT nextval('public.curated_picks_id_seq'::regclass);


--
-- Name: feed_entries id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feed_entries ALTER COLUMN id SET DEFAULT nextval('public.feed_entries_id_seq'::regclass);


--
-- Name: feeds id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feeds ALTER COLUMN id SET DEFAULT nextval('public.feeds_id_seq'::regclass);


--
-- Name: follow_ups id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.follow_ups ALTER COLUMN id SET DEFAULT nextval('public.follow_ups_id_seq'::regclass);


--
-- Name: imported_answers id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imported_answers ALTER COLUMN id SET DEFAULT nextval('public.imported_answers_id_seq'::regclass);


--
-- Name: moderation_actions id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.moderation_actions ALTER COLUMN id SET DEFAULT nextval('public.moderation_actions_id_seq'::regclass);


--
-- Name: notification_emails id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notification_emails ALTER COLUMN id SET DEFAULT nextval('public.notification_emails_id_seq'::regclass);


--
-- Name: outreach id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outreach ALTER COLUMN id SET DEFAULT nextval('public.outreach_id_seq'::regclass);


--
-- Name: persons id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.persons ALTER COLUMN id SET DEFAULT nextval('public.persons_id_seq'::regclass);


--
-- Name: question_revisions id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.question_revisions ALTER COLUMN id SET DEFAULT nextval('public.question_revisions_id_seq'::regclass);


--
-- Name: questions id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.questions ALTER COLUMN id SET DEFAULT nextval('public.questions_id_seq'::regclass);


--
-- Name: search_outbox id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.search_outbox ALTER COLUMN id SET DEFAULT nextval('public.search_outbox_id_seq'::regclass);


--
-- Name: search_synonyms id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.search_synonyms ALTER COLUMN id SET DEFAULT nextval('public.search_synonyms_id_seq'::regclass);


--
-- Name: topics id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.topics ALTER COLUMN id SET DEFAULT nextval('public.topics_id_seq'::regclass);


--
-- Name: webhook_deliveries id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_deliveries ALTER COLUMN id SET DEFAULT nextval('public.webhook_deliveries_id_seq'::regclass);


--
-- Name: webhook_endpoints id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_endpoints ALTER COLUMN id SET DEFAULT nextval('public.webhook_endpoints_id_seq'::regclass);


--
-- Data for Name: alembic_version; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.alembic_version (version_num) FROM stdin;
0008_answer_hiding
\.


--
-- Data for Name: answer_revisions; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.answer_revisions (id, answer_id, body, body_html, written_at) FROM stdin;
\.


--
-- Data for Name: answers; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.answers (id, question_id, person_id, body, body_html, created_at, edited_at, hidden_reason) FROM stdin;
1	1	1	Most likely antennas and placement, not the standard. Metal racking and freezer doors reflect heavily. We'd start with a **predictive survey** and directional antennas along the aisles; Wi-Fi 7 helps capacity, not reflections.	<p>Most likely antennas and placement, not the standard. Metal racking and freezer doors reflect heavily. We'd start with a <strong>predictive survey</strong> and directional antennas along the aisles; Wi-Fi 7 helps capacity, not reflections.</p>	2026-11-16 19:31:49.669633	\N	
2	2	2	Yes: SAML 2.0 and OIDC, with SCIM for deprovisioning. Local admin accounts can be disabled once SSO is verified.	<p>Yes: SAML 2.0 and OIDC, with SCIM for deprovisioning. Local admin accounts can be disabled once SSO is verified.</p>	2026-11-17 14:31:49.669633	\N	
3	3	3	Today it is **6–8 weeks** for 40 units. Our PCB supplier added a second fab line in March, so quotes are firm for 30 days.	<p>Today it is <strong>6–8 weeks</strong> for 40 units. Our PCB supplier added a second fab line in March, so quotes are firm for 30 days.</p>	2026-11-18 13:31:49.669633	\N	
4	4	4	Business hours are included; 24/7 with a 1-hour response is the Critical plan. For hospitals we usually recommend it for the core only.	<p>Business hours are included; 24/7 with a 1-hour response is the Critical plan. For hospitals we usually recommend it for the core only.</p>	2026-11-20 21:31:49.669633	\N	
5	5	1	Point-to-point bridge plus 802.11r fast roaming on one SSID. Sessions survive because the controller keeps the client state across both halls.	<p>Point-to-point bridge plus 802.11r fast roaming on one SSID. Sessions survive because the controller keeps the client state across both halls.</p>	2026-11-22 16:31:49.669633	\N	
6	6	2	Yes, syslog over TLS or plain CEF. No cloud relay needed: logs go straight from the appliance to your collector.	<p>Yes, syslog over TLS or plain CEF. No cloud relay needed: logs go straight from the appliance to your collector.</p>	2026-11-24 10:31:49.669633	\N	
7	7	3	All NW-series boards are RoHS 3 and REACH compliant. I can send the signed declaration.	<p>All NW-series boards are RoHS 3 and REACH compliant. I can send the signed declaration.</p>	2026-11-25 02:31:49.669633	\N	
8	8	5	Yes. Three-year agreements lock list prices; we publish the indexation rule in the contract rather than leaving it to renewal time.	<p>Yes. Three-year agreements lock list prices; we publish the indexation rule in the contract rather than leaving it to renewal time.</p>	2026-11-27 10:31:49.669633	\N	
9	9	4	Yes. Licences are self-managed by default; managed service is optional.	<p>Yes. Licences are self-managed by default; managed service is optional.</p>	2026-11-28 11:31:49.669633	\N	
10	10	2	On our advisories page with an Atom feed, plus CVE IDs. We aim to publish within 72 h of a confirmed issue.	<p>On our advisories page with an Atom feed, plus CVE IDs. We aim to publish within 72 h of a confirmed issue.</p>	2026-11-30 04:31:49.669633	\N	
11	11	3	Rated 250,000 h at 25 °C. Field data over 3 years is better; for 200 sites, 4 spares has been plenty.	<p>Rated 250,000 h at 25 °C. Field data over 3 years is better; for 200 sites, 4 spares has been plenty.</p>	2026-12-01 06:31:49.669633	\N	
12	12	4	Yes — we lend hardware for 30 days and a named engineer joins your kick-off.	<p>Yes — we lend hardware for 30 days and a named engineer joins your kick-off.</p>	2026-11-30 22:31:49.669633	\N	
13	13	1	Yes, **we do**: fixture answer.	<p>Yes, <strong>we do</strong>: fixture answer.</p>	2026-12-03 08:33:24.302107	\N	
\.


--
-- Data for Name: api_tokens; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.api_tokens (id, person_id, label, token_hash, created_at, last_used_at, revoked_at) FROM stdin;
1	5	CRM sync	831ce03cd06e3fa3fa8f0e8fc423bf08afd07d94d54f8596b49817bd180fdf9a	2026-12-03 08:32:14.306404	\N	\N
\.


--
-- Data for Name: contact_requests; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.contact_requests (id, question_id, answer_id, person_id, email, company, job_role, consented_at, created_at, handled_at) FROM stdin;
\.


--
-- Data for Name: curated_picks; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.curated_picks (id, entry_id, person_id, slug, title, source_url, note, topics, market, path, created_at) FROM stdin;
\.


--
-- Data for Name: feed_entries; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.feed_entries (id, feed_id, key, link, title, author, summary_html, published_at, fetched_at, state) FROM stdin;
\.


--
-- Data for Name: feeds; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.feeds (id, url, title, topic_id, etag, last_modified, status, message, fetched_at, created_at) FROM stdin;
\.


--
-- Data for Name: follow_ups; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.follow_ups (id, question_id, body, body_html, created_at, status, hold_reason) FROM stdin;
1	1	Thanks — the survey is booked.	<p>Thanks — the survey is booked.</p>	2026-11-17 22:31:49.669633	published	
2	26	And to Sweden too?	<p>And to Sweden too?</p>	2026-12-03 08:33:24.899699	published	
\.


--
-- Data for Name: imported_answers; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.imported_answers (id, question_id, site, source_id, source_url, author, author_url, body_html, accepted, created_at) FROM stdin;
1	21	coffee.stackexchange.com	24	https://coffee.stackexchange.com/a/24	user 24	https://coffee.stackexchange.com/users/24	<p><strong>In a cool, dark, dry, place and whenever possible vacuum sealed.</strong></p>\n\n<p>The oils in roasted coffee degrade as they are exposed to air (oxidization) as well as heated. As with just about any foodstuff moisture adds in the spoiling process as well. If you can store your coffee in completely sealed, insulated containers that are opaque and if you have the ability, vacuum pump the air out of the container as well. Failing that storing them inside a ziplock bag or coffee bag with a 1-way air seal and pushing as much air out as possible and then storing it in a sealed, dark and dry container/place should help to ensure the freshness and flavor of the beans for as long as possible. </p>\n	t	2015-01-27 21:17:34.843
2	21	coffee.stackexchange.com	1617	https://coffee.stackexchange.com/a/1617	user 443	https://coffee.stackexchange.com/users/443	<p>I would add to NOT store it in the refrigerator or freezer.  Better at room temperature and dry than cold where it could be exposed to food smells and moisture.  You didn't ask, but also drink it as soon as possible if it's ground.  Whole beans will keep for awhile but ground coffee will start to go stale after a week or two, even if stored properly.</p>\n\n<p>The National Coffee Association (ncausa.ogr) advises this:<br>\n"It is important not to refrigerate or freeze your daily supply of coffee because contact with moisture will cause it to deteriorate.  Instead, store coffee in air-tight glass or ceramic containers and keep it in a convenient, but dark and cool, location. Remember that a cabinet near the oven is often too warm, as is a cabinet on an outside wall of your kitchen if it receives heat from a strong afternoon or summer sun.</p>\n\n<p>The commercial coffee containers that you purchased your coffee in are generally not appropriate for long-term storage. Appropriate coffee storage canisters with an airtight seal are a worthwhile investment."</p>\n	f	2015-03-04 22:45:07.337
3	21	coffee.stackexchange.com	1618	https://coffee.stackexchange.com/a/1618	user 446	https://coffee.stackexchange.com/users/446	<p><strong>Room temperature, open-air is fine (for a while)</strong></p>\n\n<p>"Microroasted" implies that you purchased the beans where the roasting was done on premises. That means it was probably roasted recently, within a couple of days. Roasts vary, but generally a bean will remain fresh for a week or two, open-air, room temperature from the time of roasting. One person might take two weeks to use a pound of beans. Just keep it in the closed bag, away from temperature extremes.</p>\n\n<p>No coffee will taste fresh after months, no matter the storage. There are gas-valve tins and bags available online. Coffee beans are quiet dynamic. The chemistry continues long after the roasting heat is removed. The logic behind one-way valves is that fresh-roasted beans continue to release gases that were trapped in the beans. I roast coffee beans and store them in a dark cabinet in a wire basket, exposed to the kitchen air. No bean survives more than 10 days. Most often, the flavor actually improves after a few days.</p>\n	f	2015-03-05 05:21:11.797
4	22	coffee.stackexchange.com	21	https://coffee.stackexchange.com/a/21	user 17	https://coffee.stackexchange.com/users/17	<p>In general, the coarseness of fine sand. It will be difficult to effectively communicate grind size here, and what is recommended is to go to your local coffee shop, have them grind a sample of coffee for you on their drip grind, and then have you take that home and calibrating your grinder to a similar size, adjusting for taste.</p>\n	f	2015-01-27 21:12:16.33
5	22	coffee.stackexchange.com	22	https://coffee.stackexchange.com/a/22	user 24	https://coffee.stackexchange.com/users/24	<p><strong>In general consistency is more important than a specific setting.</strong></p>\n\n<p>The key is that you can actually control both the size of the grind and actually achieve a homogenous grind allowing you to increase the consistency in the coffee when you brew it as you can assertively control the service area being exposed during the brewing process. Since you stated that you have a burr grinder you are off to a great start. There is no defined, agreed upon coarseness of grind for pour over coffee, but I would definitely say that you would want a courser grind than you would for espresso. Experiment to find the sweet spot by making sure you use exactly the same water, coffee bean roast, and number of beans (and thus volume) between different grind settings to find what meets your flavor best. </p>\n\n<p>If you are particularly worried about "getting it right" or do not want to do a ton of experimentation an easy and quick way to jump to a grid would simply to go to a coffee shop, buy a bag of whole beans, ask them to grind it and query them for how coarse of a grind is. </p>\n	f	2015-01-27 21:12:35.147
6	23	coffee.stackexchange.com	15	https://coffee.stackexchange.com/a/15	user 24	https://coffee.stackexchange.com/users/24	<p><strong>Yes.</strong></p>\n\n<p>That is to say it will definitely affect flavor, but how it affects the flavor is ultimately dependent upon the specific mineral compounds found in your hard water vs. other hard waters and soft water's lack of these compounds. </p>\n\n<blockquote>\n  <p>Here's the key: Some of the compounds in hard water are "sticky," glomming onto certain compounds in coffee when they meet (in your coffeemaker). The more eugenol the water hangs on to, for example, the woodsier the taste of your coffee will be. </p>\n  \n  <p>Magnesium is particularly sticky, meaning water that's high in magnesium will make coffee with a stronger flavor (and higher levels of caffeine). Hard water can also have high levels of bicarbonate, though, which Hendon found could lead to more bitter flavors coming through.  - A Chemist Has Uncovered A Secret To Brewing Delicious Coffee At Home <a href="http://www.businessinsider.com/a-chemist-has-uncovered-a-secret-to-delicious-coffee-2014-6#ixzz3Q3ecJSgz" rel="nofollow ugc noopener"><em>Business Insider</em></a>. </p>\n</blockquote>\n\n<p>So depending on flavor preferences you might prefer your hard water at home but dislike it at work or simply prefer soft water altogether. Traditionally hard water is actually sought after for other beverage processes like beer brewing because of some of the abilities described above. </p>\n	t	2015-01-27 21:03:42.773
7	24	coffee.stackexchange.com	37	https://coffee.stackexchange.com/a/37	user 42	https://coffee.stackexchange.com/users/42	<p>By having a thin spout, you can more finely control the flow rate and where the water lands.    When making pour-over coffee, you want to control the water level in the cone to control the brew time and evenly extract coffee.  Also, water needs to be poured carefully onto the middle of the cone so that the water doesn't run down the side of the cone without touching the coffee grounds.</p>\n	t	2015-01-27 21:58:54.353
8	25	coffee.stackexchange.com	7	https://coffee.stackexchange.com/a/7	user 4	https://coffee.stackexchange.com/users/4	<p>Tamping is one of three key controls you have over the espresso brewing process; The others are dose (the amount of coffee used) and grind coarseness.  Together, they allow the coffee machine operator to produce a puck of the correct density and consistency through which the pressurized water can be pushed through.</p>\n\n<p>While techniques vary, the "rule of thumb" is to apply roughly thirty pounds of force evenly across the puck; however, the key is consistency.  Keep your variables the consistent and you'll be able to dial in the best end-product.</p>\n\n<p>I've been able to pull great shots using anything from just the weight of the tamper itself to my full weight pushed onto a puck, keeping all of the other factors where they needed to be to create the correct puck density.</p>\n\n<p>See this video below for more detail:\n<a href="http://community.wholelattelove.com/videos/1854/quick-tip-what-is-the-right-way-to-tamp" rel="nofollow ugc noopener">http://community.wholelattelove.com/videos/1854/quick-tip-what-is-the-right-way-to-tamp</a></p>\n	f	2015-01-27 20:46:43.66
9	25	coffee.stackexchange.com	8	https://coffee.stackexchange.com/a/8	user 17	https://coffee.stackexchange.com/users/17	<p>Let's start off with what the function of the tamp is.</p>\n\n<p></p>\n\n<h2>Function</h2>\n\n<p>The tamp is cylindrical in shape and is ideally just snug enough to fit into the portafilter smoothly. What the tamp does, is prime the coffee bed to be met with water. What we know about the water is that in general, in commercial machines, water is applied with 9 bars of pressure. Physics tells us that pressured water flow will take the path of least resistance. By this logic, the tamp functions by making the coffee bed smooth, even, and robust enough to be hit with 9 bars of pressure and extract evenly. </p>\n\n<h2>Barista Health</h2>\n\n<p><em>Note: In no way am I a qualified physician. This is not to be considered medical advice.</em></p>\n\n<p>If the surface one tamps on is on the proper level, the barista should be able to tamp with their elbo at a 90 degree(ish) angle, and their wrists in a semi-straight path to prevent damage. The barista can then use their body weight, and not muscle, to perform the tamp. By leaning into the tamp with the correct path, one can achieve about 30lbs of pressure. </p>\n\n<h2>Experiments with varying pressure</h2>\n\n<p>Personally I have experimented with varying pressured tamps and have found that applying a greater pressure than 30 lbs produced little effect, at most, a longer extraction. There are other variables that should be adjusted instead, such as the grind size, to achieve such an effect.</p>\n	t	2015-01-27 20:50:57.833
\.


--
-- Data for Name: imported_questions; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.imported_questions (question_id, site, source_id, source_url) FROM stdin;
21	coffee.stackexchange.com	1	https://coffee.stackexchange.com/q/1
22	coffee.stackexchange.com	2	https://coffee.stackexchange.com/q/2
23	coffee.stackexchange.com	3	https://coffee.stackexchange.com/q/3
24	coffee.stackexchange.com	4	https://coffee.stackexchange.com/q/4
25	coffee.stackexchange.com	5	https://coffee.stackexchange.com/q/5
\.


--
-- Data for Name: moderation_actions; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.moderation_actions (id, action, target, reason, created_at) FROM stdin;
\.


--
-- Data for Name: notification_emails; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.notification_emails (id, question_id, email, confirmed_at, active, created_at, topic_news) FROM stdin;
1	26	ola@example.no	\N	t	2026-12-03 08:33:22.158735	f
2	28	kim@example.com	\N	t	2026-12-03 08:33:22.799552	f
\.


--
-- Data for Name: outreach; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.outreach (id, sender_id, item_kind, item_ref, note, sent, created_at) FROM stdin;
\.


--
-- Data for Name: outreach_recipients; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.outreach_recipients (outreach_id, consent_id) FROM stdin;
\.


--
-- Data for Name: person_topics; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.person_topics (person_id, topic_id) FROM stdin;
1	1
2	2
3	3
4	4
4	1
5	4
\.


--
-- Data for Name: persons; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.persons (id, slug, name, job_title, email, password_hash, photo, bio, roles, active, created_at) FROM stdin;
1	dana-ortiz	Dana Ortiz	Network Engineer	dana@northwind.example	scrypt:32768:8:1$VYk9Se8szpBrI0u1$893f83cb96c5f2028b0a9c02fb6b8062ae989253e13dee7e4fda3d13f4f54614902cd44e502e178ccf53404ceb1bcf63f2c992d8d48ca167ee36ff480fd04fd9	\N	Designs campus and warehouse networks. Ten years of Wi-Fi surveys behind her.	staff,admin	t	2026-12-03 08:31:51.075885
2	sam-lee	Sam Lee	Security Architect	sam@northwind.example	scrypt:32768:8:1$9Lq0Uc01B1LTDl04$249b5aee80b1188a138b2956a3dbc52265fa9b4e6453e9253f7b0688e95735ff01ad4a345894ab084a16c1f4af99ecfe78db2df5234d70e6a8dbc3b3100ab26b	\N	Helps customers move from VPNs to zero trust without a big-bang migration.	staff	t	2026-12-03 08:31:52.59565
3	priya-raman	Priya Raman	Hardware Product Manager	priya@northwind.example	scrypt:32768:8:1$nlE3uY5p4OSrYX6m$117a7cf8d56d6a88fc63a674c68ca7e18c5c1dd8797e8f8c7b487eedf93166f6b005552c46ca2445cc038480a754d58b5db882dd50efbfe02fae34e525521d4b	\N	Owns the NW-series appliances, from PCB supply to end of life.	staff,marketer	t	2026-12-03 08:31:53.939102
4	tom-becker	Tom Becker	Customer Success Lead	tom@northwind.example	scrypt:32768:8:1$2OTxNyTEI3P8H5sB$1f0d7fdbda8818768767ace63256a98fba4e4fc80fdf68ad51ce20039d3ae1a73ec596a1f4734da2a58191d712dc5dde4a490fff6ffcadfb7d0ceae510c34a24	\N	Onboards new customers and keeps SLAs honest.	staff,moderator	t	2026-12-03 08:31:55.12014
5	alex-morgan	Alex Morgan	CEO	alex@northwind.example	scrypt:32768:8:1$WXblmEWFjynErBCO$29af8ad6c72da7b60cb205ae80a7fec148b5ec5d512789b58ebf62ed175a37f01431bde0fa4737dea2e8738262fc5217a490af3d9d2e8428c6fb747edd5769c4	\N	Co-founded Northwind. Reads every digest and answers the hard commercial questions.	staff,owner	t	2026-12-03 08:31:55.697749
\.


--
-- Data for Name: question_revisions; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.question_revisions (id, question_id, title, body, body_html, written_at) FROM stdin;
\.


--
-- Data for Name: questions; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.questions (id, title, body, body_html, display_name, topic_id, person_id, manage_token_hash, status, accepted_answer_id, created_at, edited_at, hold_reason, assignee_id, reminded_at, escalated_at) FROM stdin;
2	Do you support SAML single sign-on for the admin portal?	Our auditors want every admin login behind our IdP (Entra ID).	<p>Our auditors want every admin login behind our IdP (Entra ID).</p>	J. Okafor	2	\N	01bd09d74a54c570b338da2c6e1d359d55d826a81b4d5b0cabb6c12c853642ad	answered	\N	2026-11-17 12:31:49.669633	\N		\N	\N	\N
3	What is the current lead time for NW-4800 switches?	We need 40 units for a Q2 rollout.	<p>We need 40 units for a Q2 rollout.</p>	Lena	3	\N	f7ca5978e1b68e54441aa7e49b74decefe9360d4d3e686303f2d074a71c8a8df	answered	\N	2026-11-18 08:31:49.669633	\N		\N	\N	\N
4	Is 24/7 support included or an add-on?	Comparing you with two other vendors for a hospital network.	<p>Comparing you with two other vendors for a hospital network.</p>	Chris	4	\N	e62b86bfb83ffd0ca05dd457976da9d5a12d7bbd0e5426b3d2ec950ec30c7cd7	answered	\N	2026-11-20 20:31:49.669633	\N		\N	\N	\N
5	Dana, how do you handle roaming between buildings?	Forklifts move between two halls 80 m apart and lose sessions.	<p>Forklifts move between two halls 80 m apart and lose sessions.</p>	Ahmed	1	1	a9d310f6866012b222c842acdb6312cc204b2170e358f421fe1a65d5c57e84b3	answered	\N	2026-11-22 12:31:49.669633	\N		1	\N	\N
6	Can the firewall log to our own SIEM?	We use a self-hosted Wazuh.	<p>We use a self-hosted Wazuh.</p>	Ingrid	2	\N	072dfb4fe082c1c8a892b2ed9ec801e8a27c870b140f328d90b3419790381b49	answered	\N	2026-11-24 04:31:49.669633	\N		\N	\N	\N
7	Are your PCBs lead-free (RoHS 3)?	Procurement needs a declaration.	<p>Procurement needs a declaration.</p>	P. Novak	3	\N	8b37d35841aab79ba400c0dd00a88cd975029b9728d99a62d489bb570ea9f11a	answered	\N	2026-11-25 00:31:49.669633	\N		\N	\N	\N
8	Alex, do you offer multi-year price locks?	Budget cycles here are three years.	<p>Budget cycles here are three years.</p>	Grace	4	5	d5cd4f72ef9741ed32f9aa1b8138049eeab42585eccff8d38ad6b6469f56ca34	answered	\N	2026-11-27 02:31:49.669633	\N		5	\N	\N
9	Do you sell SD-WAN without managed services?	We have our own NOC.	<p>We have our own NOC.</p>	Tobias	1	\N	c6d153c5de208ddbfc35821c14458479ad7b0a56cd705363389f369bb7b7c869	answered	\N	2026-11-28 08:31:49.669633	\N		\N	\N	\N
10	How do you publish vulnerability advisories?	We want to subscribe.	<p>We want to subscribe.</p>	R. Silva	2	\N	4289a096e961da53990f965ddbb83f61fee7b05236ccbfe85d822106a46ee68f	answered	\N	2026-11-29 08:31:49.669633	\N		\N	\N	\N
11	What is the MTBF of the NW-2200 power supply?	Sizing spares for 200 sites.	<p>Sizing spares for 200 sites.</p>	Mei	3	\N	8929fc2d39dcdc956f34c217b5b8ac51a3f5aa8b9774359c0390ab6100b17dc2	answered	\N	2026-11-30 00:31:49.669633	\N		\N	\N	\N
12	Can we do a proof of concept before buying?	Two sites, four weeks.	<p>Two sites, four weeks.</p>	Oskar	4	\N	471f6771cca02780c83766e8482243d97b15b396292824ff2637afbfe931f504	answered	\N	2026-11-30 20:31:49.669633	\N		\N	\N	\N
15	Can we get the NW-4800 in a fanless version?	It sits in an office, noise matters.	<p>It sits in an office, noise matters.</p>	Nora	3	3	62be6c5cf188e7c2c5b39218e598cfcacd6cd9c8c64e31e7b7babafd05f637fb	open	\N	2026-12-01 06:31:49.669633	\N		3	\N	\N
17	Do you have partners in Japan?	Looking for a local integrator.	<p>Looking for a local integrator.</p>	Yuki	\N	\N	e09de94599da5db34e6287b6566abf5798718530af195a423afee676e2652613	open	\N	2026-12-02 12:31:49.669633	\N		\N	\N	\N
18	Dana, outdoor APs for a port terminal?	Salt spray and wind. What rating do we need?	<p>Salt spray and wind. What rating do we need?</p>	Ben	1	1	60bb7ea6d1a88228b07c91b86c02a05ea1904830e0d5dd34051a964a9f855934	open	\N	2026-12-03 02:31:49.669633	\N		1	\N	\N
19	Do you support 802.1X with certificates only?	No passwords on the wired network.	<p>No passwords on the wired network.</p>	Sofia	2	\N	8bbc3358cbd800c047bffaaa0aa0488e74fe94c21ff1ad30f56abf6b19545016	open	\N	2026-12-03 05:31:49.669633	\N		\N	\N	\N
20	Is there a rack kit for the NW-2200?	Two per 1U shelf?	<p>Two per 1U shelf?</p>	Luca	3	\N	4c52eaecb477ca8f268bc95debee903cc6157389d322326904bedbc56f7e9671	open	\N	2026-12-03 07:31:49.669633	\N		\N	\N	\N
16	What does onboarding look like for 50 sites?	We'd like a rough timeline.	<p>We'd like a rough timeline.</p>	Felix	4	\N	e81db95a0a6a95b5e8887bb6d0522667be0e5a46d106df5c3b094868d6893d62	open	\N	2026-12-02 02:31:49.669633	\N		4	\N	\N
14	Do your switches support EVPN-VXLAN?	Planning a small data-centre fabric.	<p>Planning a small data-centre fabric.</p>	Viktor	1	\N	f83785d71c3dbd8eefe93d19b11337fcbf5b2505584790063e7e314c68f6d757	open	\N	2026-11-30 08:31:49.669633	\N		4	\N	\N
1	Can your APs handle 300 handheld scanners in one aisle?	We run a cold-storage warehouse with dense shelving. Today's Wi-Fi drops scanners in the freezer zone. Would Wi-Fi 7 help, or is it an antenna problem?	<p>We run a cold-storage warehouse with dense shelving. Today's Wi-Fi drops scanners in the freezer zone. Would Wi-Fi 7 help, or is it an antenna problem?</p>	Maria K.	1	\N	9d3846079260bafd174a994f7f2cb9cd3679938fe38ce6a10a68b5d35e9ae727	answered	1	2026-11-16 16:31:49.669633	\N		\N	\N	\N
21	How should I store whole bean coffee?	I just got a pound of microroasted, local coffee and am curious what the optimal way to store it is (what temperature, humidity, etc)	<p>I just got a pound of microroasted, local coffee and am curious what the optimal way to store it is (what temperature, humidity, etc)</p>\n	user 4	\N	\N	9c9178f09f6bce78398822c2dd67e15caac1f30c566326208e3698fd9d38d59a	imported	\N	2015-01-27 20:09:32.72	\N		\N	\N	\N
13	Is there an on-prem option for the management console?	Our regulator does not allow cloud management for this network.	<p>Our regulator does not allow cloud management for this network.</p>	Hannah	2	\N	6fe46f3456ee85500b635e6aae8226c9a027bf7cc160936610056868c84755f5	answered	\N	2026-11-27 02:31:49.669633	\N		\N	\N	\N
22	How fine should I grind coffee for drip/pour over coffee	I manually grind coffee beans for drip coffee but I thought that depending on whether the coffee is intended to be used for a cafetiere or espresso machine then the fineness needs to be varied. \n\n So what is the optimum fineness for drip coffee? \n\n Does it matter so much given that I am not using pressure (typically 15 bar in an espresso machine) to force hot water through the coffee grounds.	<p>I manually grind coffee beans for drip coffee but I thought that depending on whether the coffee is intended to be used for a cafetiere or espresso machine then the fineness needs to be varied.</p>\n\n<p>So what is the optimum fineness for drip coffee?</p>\n\n<p>Does it matter so much given that I am not using pressure (typically 15 bar in an espresso machine) to force hot water through the coffee grounds.</p>\n	user 8	\N	\N	94dc4e66e6b729c2ac8fcea631298328799a18353f56b9d5cc6e199cdcbba9ba	imported	\N	2015-01-27 20:13:58.61	\N		\N	\N	\N
23	Does the hardness of water matter when making coffee	I live in a hard water area and with English Tea I can definitely taste and see the difference when compared to where I'm from which is a soft water area so does the hardness of the water affect coffee so much? \n\n Perhaps the taste is more intense that I don't notice but I would think it does affect it. \n\n Does the process of how you make the coffee more important to the taste, I used to have an espresso machine and if I didn't clean it using citric acid the seals would become clogged with limescale to the point that the machine stopped working. \n\n I'd be interested in a scientific/objective view on this as I now use bottled water in my kettle.	<p>I live in a hard water area and with English Tea I can definitely taste and see the difference when compared to where I'm from which is a soft water area so does the hardness of the water affect coffee so much?</p>\n\n<p>Perhaps the taste is more intense that I don't notice but I would think it does affect it.</p>\n\n<p>Does the process of how you make the coffee more important to the taste, I used to have an espresso machine and if I didn't clean it using citric acid the seals would become clogged with limescale to the point that the machine stopped working.</p>\n\n<p>I'd be interested in a scientific/objective view on this as I now use bottled water in my kettle.</p>\n	user 8	\N	\N	fda8418065bef821d28ff6e7221a1c88e64e3cd263e5aace5a4be66b5340a08c	imported	\N	2015-01-27 20:20:05.7	\N		\N	\N	\N
24	What's the theory behind using thin spouted kettles when making drip/pour over coffee	I own a drip coffee pot:\n \n\n and one of the other things you can buy is a  thin spouted kettle  which is used for pouring water one to the grounds. \n\n What is the theory behind this? \n\n Does the rate of water delivery/flow just agitate the suspension of coffee/water in a way that is better? \n\n I also see such items being used in coffee shops too so would really like an expert's summation on this.	<p>I own a drip coffee pot:\n</p>\n\n<p>and one of the other things you can buy is a <a href="http://www.hario.jp/product/list.php?middelclass=3" rel="nofollow ugc noopener">thin spouted kettle</a> which is used for pouring water one to the grounds.</p>\n\n<p>What is the theory behind this?</p>\n\n<p>Does the rate of water delivery/flow just agitate the suspension of coffee/water in a way that is better?</p>\n\n<p>I also see such items being used in coffee shops too so would really like an expert's summation on this.</p>\n	user 8	\N	\N	4e8236b8ee9f355a0e7fae5f3b380fb3e6de76a9119e54a42c06412a638bf9ab	imported	\N	2015-01-27 20:30:33.657	\N		\N	\N	\N
25	How important is tamping coffee for an espresso machine	I observe that coffee servers (I refuse to use the term barista) will apply pressure to the coffee grounds using a variety of methods and pressure. This seems to vary wildly and I'd like to know how important is this? Is there some general rule of thumb when it comes to recommended pressure? \n\n My thoughts were that the fineness mattered the most for espresso machines and that reasonable enough pressure when tamping is enough but what do expert's use and believe.	<p>I observe that coffee servers (I refuse to use the term barista) will apply pressure to the coffee grounds using a variety of methods and pressure. This seems to vary wildly and I'd like to know how important is this? Is there some general rule of thumb when it comes to recommended pressure?</p>\n\n<p>My thoughts were that the fineness mattered the most for espresso machines and that reasonable enough pressure when tamping is enough but what do expert's use and believe.</p>\n	user 8	\N	\N	714fb3e6e658658d1342512dab341e8250a2afec1a993c8d11f4d630a4b651d7	imported	\N	2015-01-27 20:34:58.077	\N		\N	\N	\N
26	Do you ship the NW-24 to Norway?	Question body 0 for the upgrade fixture.	<p>Question body 0 for the upgrade fixture.</p>	Upgrade asker 0	\N	\N	4fa778277e6947bf42c3762fb5264d4d99bdcc1e7a1b969b13ddb6af97ceb757	open	\N	2026-12-03 08:33:22.140736	\N		\N	\N	\N
27	Is there a PCB rev C datasheet?	Question body 1 for the upgrade fixture.	<p>Question body 1 for the upgrade fixture.</p>	Upgrade asker 1	\N	\N	6bb14d1a3a1f3c2a44d2d137c87cc0dd70d90704ae9bbe09f527f331f6f20fed	open	\N	2026-12-03 08:33:22.590402	\N		\N	\N	\N
28	Can Wi-Fi 7 roam across two warehouses?	Question body 2 for the upgrade fixture.	<p>Question body 2 for the upgrade fixture.</p>	Upgrade asker 2	\N	\N	d46298d149649bf3485810f45255fb4dbff3bda90e04b5ea7df5ca8541080f2d	open	\N	2026-12-03 08:33:22.797318	\N		\N	\N	\N
\.


--
-- Data for Name: search_documents; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.search_documents (doc_id, kind, title, body, url, meta, topics, answered, tsv) FROM stdin;
\.


--
-- Data for Name: search_gaps; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.search_gaps (query, misses, first_at, last_at) FROM stdin;
\.


--
-- Data for Name: search_outbox; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.search_outbox (id, kind, ref, created_at, done_at) FROM stdin;
1	person	1	2026-12-03 08:31:51.123323	2026-12-03 08:32:00.245584
2	person	2	2026-12-03 08:31:52.632979	2026-12-03 08:32:00.245584
3	person	3	2026-12-03 08:31:53.971112	2026-12-03 08:32:00.245584
4	person	4	2026-12-03 08:31:55.145773	2026-12-03 08:32:00.245584
5	person	5	2026-12-03 08:31:55.710444	2026-12-03 08:32:00.245584
6	person	1	2026-12-03 08:31:55.780731	2026-12-03 08:32:00.245584
7	person	4	2026-12-03 08:31:55.780731	2026-12-03 08:32:00.245584
8	person	2	2026-12-03 08:31:55.864742	2026-12-03 08:32:00.245584
9	person	3	2026-12-03 08:31:55.92883	2026-12-03 08:32:00.245584
10	person	3	2026-12-03 08:31:55.980725	2026-12-03 08:32:00.245584
11	person	4	2026-12-03 08:31:56.024735	2026-12-03 08:32:00.245584
12	person	5	2026-12-03 08:31:56.024735	2026-12-03 08:32:00.245584
13	person	4	2026-12-03 08:31:56.060801	2026-12-03 08:32:00.245584
14	person	5	2026-12-03 08:31:56.060801	2026-12-03 08:32:00.245584
15	thread	1	2026-12-03 08:31:56.453961	2026-12-03 08:32:00.245584
16	thread	2	2026-12-03 08:31:56.453961	2026-12-03 08:32:00.245584
17	thread	3	2026-12-03 08:31:56.453961	2026-12-03 08:32:00.245584
18	thread	4	2026-12-03 08:31:56.453961	2026-12-03 08:32:00.245584
19	thread	5	2026-12-03 08:31:56.453961	2026-12-03 08:32:00.245584
20	thread	6	2026-12-03 08:31:56.453961	2026-12-03 08:32:00.245584
21	thread	7	2026-12-03 08:31:56.453961	2026-12-03 08:32:00.245584
22	thread	8	2026-12-03 08:31:56.453961	2026-12-03 08:32:00.245584
23	thread	9	2026-12-03 08:31:56.453961	2026-12-03 08:32:00.245584
24	thread	10	2026-12-03 08:31:56.453961	2026-12-03 08:32:00.245584
25	thread	11	2026-12-03 08:31:56.453961	2026-12-03 08:32:00.245584
26	thread	12	2026-12-03 08:31:56.453961	2026-12-03 08:32:00.245584
27	thread	13	2026-12-03 08:31:56.453961	2026-12-03 08:32:00.245584
28	thread	14	2026-12-03 08:31:56.453961	2026-12-03 08:32:00.245584
29	thread	15	2026-12-03 08:31:56.453961	2026-12-03 08:32:00.245584
30	thread	16	2026-12-03 08:31:56.453961	2026-12-03 08:32:00.245584
31	thread	17	2026-12-03 08:31:56.453961	2026-12-03 08:32:00.245584
32	thread	18	2026-12-03 08:31:56.453961	2026-12-03 08:32:00.245584
33	thread	19	2026-12-03 08:31:56.453961	2026-12-03 08:32:00.245584
34	thread	20	2026-12-03 08:31:56.453961	2026-12-03 08:32:00.245584
35	thread	16	2026-12-03 08:31:56.533308	2026-12-03 08:32:00.245584
36	thread	14	2026-12-03 08:31:56.566721	2026-12-03 08:32:00.245584
37	thread	1	2026-12-03 08:31:56.66563	2026-12-03 08:32:00.245584
38	thread	21	2026-12-03 08:33:13.097289	2026-12-03 08:33:13.541003
39	thread	21	2026-12-03 08:33:13.12917	2026-12-03 08:33:13.541003
40	thread	22	2026-12-03 08:33:13.12917	2026-12-03 08:33:13.541003
41	thread	22	2026-12-03 08:33:13.1488	2026-12-03 08:33:13.541003
42	thread	23	2026-12-03 08:33:13.1488	2026-12-03 08:33:13.541003
43	thread	23	2026-12-03 08:33:13.16907	2026-12-03 08:33:13.541003
44	thread	24	2026-12-03 08:33:13.16907	2026-12-03 08:33:13.541003
45	thread	24	2026-12-03 08:33:13.182026	2026-12-03 08:33:13.541003
46	thread	25	2026-12-03 08:33:13.182026	2026-12-03 08:33:13.541003
47	thread	25	2026-12-03 08:33:13.19723	2026-12-03 08:33:13.541003
48	thread	26	2026-12-03 08:33:22.146861	2026-12-03 08:33:22.541724
49	thread	27	2026-12-03 08:33:22.605049	2026-12-03 08:33:22.769524
50	thread	28	2026-12-03 08:33:22.798385	2026-12-03 08:33:23.88505
51	thread	13	2026-12-03 08:33:24.303923	2026-12-03 08:33:24.457945
52	thread	26	2026-12-03 08:33:24.909505	\N
\.


--
-- Data for Name: search_synonyms; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.search_synonyms (id, term, expansion) FROM stdin;
1	pcb	printed circuit board
\.


--
-- Data for Name: settings; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.settings (key, value) FROM stdin;
demo_loaded	2026-12-03T08:31:49.669633
\.


--
-- Data for Name: topics; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.topics (id, slug, name, description, response_target_hours, working_hours, quiet_days, owner_id) FROM stdin;
1	networking	Networking	Switching, Wi-Fi, SD-WAN and campus design.	4		14	1
2	security	Security	Zero trust, firewalls, compliance and audits.	8		14	2
3	hardware	Hardware	Our appliances, PCBs, lead times and RMAs.	8	Mon-Thu 08:00-16:00	14	3
4	support	Support & contracts	SLAs, onboarding, pricing and renewals.	2	Mon-Fri 08:00-18:00	14	5
5	logistics	Logistics		8		14	\N
\.


--
-- Data for Name: webhook_deliveries; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.webhook_deliveries (id, endpoint_id, event, payload, created_at, attempts, next_attempt_at, delivered_at, gave_up_at, last_status) FROM stdin;
1	1	question.asked	{"question": {"id": 26, "title": "Do you ship the NW-24 to Norway?", "url": "http://127.0.0.1:8000/q/26/do-you-ship-the-nw-24-to-norway", "topic": null, "asked_at": "2026-12-03T08:33:22.140736Z"}}	2026-12-03 08:33:22.350553	0	2026-12-03 08:33:22.350553	\N	\N	
2	1	question.asked	{"question": {"id": 27, "title": "Is there a PCB rev C datasheet?", "url": "http://127.0.0.1:8000/q/27/is-there-a-pcb-rev-c-datasheet", "topic": null, "asked_at": "2026-12-03T08:33:22.590402Z"}}	2026-12-03 08:33:22.721021	0	2026-12-03 08:33:22.721021	\N	\N	
3	1	question.asked	{"question": {"id": 28, "title": "Can Wi-Fi 7 roam across two warehouses?", "url": "http://127.0.0.1:8000/q/28/can-wi-fi-7-roam-across-two-warehouses", "topic": null, "asked_at": "2026-12-03T08:33:22.797318Z"}}	2026-12-03 08:33:22.824812	0	2026-12-03 08:33:22.824812	\N	\N	
4	1	answer.posted	{"answer": {"id": 13, "question_id": 13, "url": "http://127.0.0.1:8000/q/13/is-there-an-on-prem-option-for-the-management-console#answer-13", "author": {"name": "Dana Ortiz", "job_title": "Network Engineer"}}}	2026-12-03 08:33:24.362103	0	2026-12-03 08:33:24.362103	\N	\N	
\.


--
-- Data for Name: webhook_endpoints; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.webhook_endpoints (id, url, secret, events, active, created_at, last_status, last_attempt_at) FROM stdin;
1	https://crm.example.com/hook	d695165d43f96aae503e51b0c5a687ebb1a112119682162f8239c21fdd8e589b	question.asked,answer.posted	t	2026-12-03 08:32:25.011886		\N
\.


--
-- Name: answer_revisions_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.answer_revisions_id_seq', 1, false);


--
-- Name: answers_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.answers_id_seq', 13, true);


--
-- Name: api_tokens_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.api_tokens_id_seq', 1, true);


--
-- Name: contact_requests_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.contact_requests_id_seq', 1, false);


--
-- Name: curated_picks_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.curated_picks_id_seq', 1, false);


--
-- Name: feed_entries_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.feed_entries_id_seq', 1, false);


--
-- Name: feeds_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.feeds_id_seq', 1, false);


--
-- Name: follow_ups_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.follow_ups_id_seq', 2, true);


--
-- Name: imported_answers_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.imported_answers_id_seq', 9, true);


--
-- Name: moderation_actions_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.moderation_actions_id_seq', 1, false);


--
-- Name: notification_emails_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.notification_emails_id_seq', 2, true);


--
-- Name: outreach_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.outreach_id_seq', 1, false);


--
-- Name: persons_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.persons_id_seq', 5, true);


--
-- Name: question_revisions_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.question_revisions_id_seq', 1, false);


--
-- Name: questions_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.questions_id_seq', 28, true);


--
-- Name: search_outbox_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.search_outbox_id_seq', 52, true);


--
-- Name: search_synonyms_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.search_synonyms_id_seq', 1, true);


--
-- Name: topics_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.topics_id_seq', 5, true);


--
-- Name: webhook_deliveries_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.webhook_deliveries_id_seq', 4, true);


--
-- Name: webhook_endpoints_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.webhook_endpoints_id_seq', 1, true);


--
-- Name: alembic_version alembic_version_pkc; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.alembic_version
    ADD CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num);


--
-- Name: answer_revisions answer_revisions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.answer_revisions
    ADD CONSTRAINT answer_revisions_pkey PRIMARY KEY (id);


--
-- Name: answers answers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.answers
    ADD CONSTRAINT answers_pkey PRIMARY KEY (id);


--
-- Name: api_tokens api_tokens_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_pkey PRIMARY KEY (id);


--
-- Name: api_tokens api_tokens_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash);


--
-- Name: contact_requests contact_requests_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contact_requests
    ADD CONSTRAINT contact_requests_pkey PRIMARY KEY (id);


--
-- Name: curated_picks curated_picks_entry_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.curated_picks
    ADD CONSTRAINT curated_picks_entry_id_key UNIQUE (entry_id);


--
-- Name: curated_picks curated_picks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.curated_picks
    ADD CONSTRAINT curated_picks_pkey PRIMARY KEY (id);


--
-- Name: curated_picks curated_picks_slug_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.curated_picks
    ADD CONSTRAINT curated_picks_slug_key UNIQUE (slug);


--
-- Name: feed_entries feed_entries_feed_id_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feed_entries
    ADD CONSTRAINT feed_entries_feed_id_key_key UNIQUE (feed_id, key);


--
-- Name: feed_entries feed_entries_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feed_entries
    ADD CONSTRAINT feed_entries_pkey PRIMARY KEY (id);


--
-- Name: feeds feeds_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feeds
    ADD CONSTRAINT feeds_pkey PRIMARY KEY (id);


--
-- Name: feeds feeds_url_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feeds
    ADD CONSTRAINT feeds_url_key UNIQUE (url);


--
-- Name: follow_ups follow_ups_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.follow_ups
    ADD CONSTRAINT follow_ups_pkey PRIMARY KEY (id);


--
-- Name: imported_answers imported_answers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imported_answers
    ADD CONSTRAINT imported_answers_pkey PRIMARY KEY (id);


--
-- Name: imported_answers imported_answers_site_source_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imported_answers
    ADD CONSTRAINT imported_answers_site_source_id_key UNIQUE (site, source_id);


--
-- Name: imported_questions imported_questions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imported_questions
    ADD CONSTRAINT imported_questions_pkey PRIMARY KEY (question_id);


--
-- Name: imported_questions imported_questions_site_source_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imported_questions
    ADD CONSTRAINT imported_questions_site_source_id_key UNIQUE (site, source_id);


--
-- Name: moderation_actions moderation_actions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.moderation_actions
    ADD CONSTRAINT moderation_actions_pkey PRIMARY KEY (id);


--
-- Name: notification_emails notification_emails_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notification_emails
    ADD CONSTRAINT notification_emails_pkey PRIMARY KEY (id);


--
-- Name: notification_emails notification_emails_question_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notification_emails
    ADD CONSTRAINT notification_emails_question_id_key UNIQUE (question_id);


--
-- Name: outreach outreach_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outreach
    ADD CONSTRAINT outreach_pkey PRIMARY KEY (id);


--
-- Name: outreach_recipients outreach_recipients_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outreach_recipients
    ADD CONSTRAINT outreach_recipients_pkey PRIMARY KEY (outreach_id, consent_id);


--
-- Name: person_topics person_topics_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.person_topics
    ADD CONSTRAINT person_topics_pkey PRIMARY KEY (person_id, topic_id);


--
-- Name: persons persons_email_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.persons
    ADD CONSTRAINT persons_email_key UNIQUE (email);


--
-- Name: persons persons_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.persons
    ADD CONSTRAINT persons_pkey PRIMARY KEY (id);


--
-- Name: persons persons_slug_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.persons
    ADD CONSTRAINT persons_slug_key UNIQUE (slug);


--
-- Name: question_revisions question_revisions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.question_revisions
    ADD CONSTRAINT question_revisions_pkey PRIMARY KEY (id);


--
-- Name: questions questions_manage_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.questions
    ADD CONSTRAINT questions_manage_token_hash_key UNIQUE (manage_token_hash);


--
-- Name: questions questions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.questions
    ADD CONSTRAINT questions_pkey PRIMARY KEY (id);


--
-- Name: search_documents search_documents_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.search_documents
    ADD CONSTRAINT search_documents_pkey PRIMARY KEY (doc_id);


--
-- Name: search_gaps search_gaps_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.search_gaps
    ADD CONSTRAINT search_gaps_pkey PRIMARY KEY (query);


--
-- Name: search_outbox search_outbox_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.search_outbox
    ADD CONSTRAINT search_outbox_pkey PRIMARY KEY (id);


--
-- Name: search_synonyms search_synonyms_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.search_synonyms
    ADD CONSTRAINT search_synonyms_pkey PRIMARY KEY (id);


--
-- Name: search_synonyms search_synonyms_term_expansion_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.search_synonyms
    ADD CONSTRAINT search_synonyms_term_expansion_key UNIQUE (term, expansion);


--
-- Name: settings settings_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.settings
    ADD CONSTRAINT settings_pkey PRIMARY KEY (key);


--
-- Name: topics topics_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.topics
    ADD CONSTRAINT topics_pkey PRIMARY KEY (id);


--
-- Name: topics topics_slug_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.topics
    ADD CONSTRAINT topics_slug_key UNIQUE (slug);


--
-- Name: webhook_deliveries webhook_deliveries_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_pkey PRIMARY KEY (id);


--
-- Name: webhook_endpoints webhook_endpoints_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_endpoints
    ADD CONSTRAINT webhook_endpoints_pkey PRIMARY KEY (id);


--
-- Name: ix_answer_revisions_answer_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_answer_revisions_answer_id ON public.answer_revisions USING btree (answer_id);


--
-- Name: ix_answers_question_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_answers_question_id ON public.answers USING btree (question_id);


--
-- Name: ix_api_tokens_person_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_api_tokens_person_id ON public.api_tokens USING btree (person_id);


--
-- Name: ix_contact_requests_created_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_contact_requests_created_at ON public.contact_requests USING btree (created_at);


--
-- Name: ix_contact_requests_person_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_contact_requests_person_id ON public.contact_requests USING btree (person_id);


--
-- Name: ix_contact_requests_question_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_contact_requests_question_id ON public.contact_requests USING btree (question_id);


--
-- Name: ix_curated_picks_created_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_curated_picks_created_at ON public.curated_picks USING btree (created_at);


--
-- Name: ix_feed_entries_feed_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_feed_entries_feed_id ON public.feed_entries USING btree (feed_id);


--
-- Name: ix_feed_entries_link; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_feed_entries_link ON public.feed_entries USING btree (link);


--
-- Name: ix_feed_entries_published_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_feed_entries_published_at ON public.feed_entries USING btree (published_at);


--
-- Name: ix_feed_entries_state; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_feed_entries_state ON public.feed_entries USING btree (state);


--
-- Name: ix_follow_ups_question_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_follow_ups_question_id ON public.follow_ups USING btree (question_id);


--
-- Name: ix_imported_answers_question_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_imported_answers_question_id ON public.imported_answers USING btree (question_id);


--
-- Name: ix_moderation_actions_created_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_moderation_actions_created_at ON public.moderation_actions USING btree (created_at);


--
-- Name: ix_notification_emails_created_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_notification_emails_created_at ON public.notification_emails USING btree (created_at);


--
-- Name: ix_outreach_created_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_outreach_created_at ON public.outreach USING btree (created_at);


--
-- Name: ix_question_revisions_question_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_question_revisions_question_id ON public.question_revisions USING btree (question_id);


--
-- Name: ix_questions_assignee_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_questions_assignee_id ON public.questions USING btree (assignee_id);


--
-- Name: ix_questions_created_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_questions_created_at ON public.questions USING btree (created_at);


--
-- Name: ix_questions_status; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_questions_status ON public.questions USING btree (status);


--
-- Name: ix_search_documents_tsv; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_search_documents_tsv ON public.search_documents USING gin (tsv);


--
-- Name: ix_search_outbox_done_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_search_outbox_done_at ON public.search_outbox USING btree (done_at);


--
-- Name: ix_search_synonyms_term; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_search_synonyms_term ON public.search_synonyms USING btree (term);


--
-- Name: ix_webhook_deliveries_endpoint_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_webhook_deliveries_endpoint_id ON public.webhook_deliveries USING btree (endpoint_id);


--
-- Name: ix_webhook_deliveries_next_attempt_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_webhook_deliveries_next_attempt_at ON public.webhook_deliveries USING btree (next_attempt_at);


--
-- Name: answer_revisions answer_revisions_answer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.answer_revisions
    ADD CONSTRAINT answer_revisions_answer_id_fkey FOREIGN KEY (answer_id) REFERENCES public.answers(id) ON DELETE CASCADE;


--
-- Name: answers answers_person_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.answers
    ADD CONSTRAINT answers_person_id_fkey FOREIGN KEY (person_id) REFERENCES public.persons(id);


--
-- Name: answers answers_question_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.answers
    ADD CONSTRAINT answers_question_id_fkey FOREIGN KEY (question_id) REFERENCES public.questions(id) ON DELETE CASCADE;


--
-- Name: api_tokens api_tokens_person_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_person_id_fkey FOREIGN KEY (person_id) REFERENCES public.persons(id) ON DELETE CASCADE;


--
-- Name: contact_requests contact_requests_answer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contact_requests
    ADD CONSTRAINT contact_requests_answer_id_fkey FOREIGN KEY (answer_id) REFERENCES public.answers(id) ON DELETE SET NULL;


--
-- Name: contact_requests contact_requests_person_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contact_requests
    ADD CONSTRAINT contact_requests_person_id_fkey FOREIGN KEY (person_id) REFERENCES public.persons(id) ON DELETE CASCADE;


--
-- Name: contact_requests contact_requests_question_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contact_requests
    ADD CONSTRAINT contact_requests_question_id_fkey FOREIGN KEY (question_id) REFERENCES public.questions(id) ON DELETE CASCADE;


--
-- Name: curated_picks curated_picks_entry_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.curated_picks
    ADD CONSTRAINT curated_picks_entry_id_fkey FOREIGN KEY (entry_id) REFERENCES public.feed_entries(id) ON DELETE SET NULL;


--
-- Name: curated_picks curated_picks_person_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.curated_picks
    ADD CONSTRAINT curated_picks_person_id_fkey FOREIGN KEY (person_id) REFERENCES public.persons(id) ON DELETE SET NULL;


--
-- Name: feed_entries feed_entries_feed_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feed_entries
    ADD CONSTRAINT feed_entries_feed_id_fkey FOREIGN KEY (feed_id) REFERENCES public.feeds(id) ON DELETE CASCADE;


--
-- Name: feeds feeds_topic_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feeds
    ADD CONSTRAINT feeds_topic_id_fkey FOREIGN KEY (topic_id) REFERENCES public.topics(id) ON DELETE SET NULL;


--
-- Name: questions fk_questions_accepted_answer; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.questions
    ADD CONSTRAINT fk_questions_accepted_answer FOREIGN KEY (accepted_answer_id) REFERENCES public.answers(id) ON DELETE SET NULL;


--
-- Name: questions fk_questions_assignee; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.questions
    ADD CONSTRAINT fk_questions_assignee FOREIGN KEY (assignee_id) REFERENCES public.persons(id) ON DELETE SET NULL;


--
-- Name: topics fk_topics_owner; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.topics
    ADD CONSTRAINT fk_topics_owner FOREIGN KEY (owner_id) REFERENCES public.persons(id) ON DELETE SET NULL;


--
-- Name: follow_ups follow_ups_question_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.follow_ups
    ADD CONSTRAINT follow_ups_question_id_fkey FOREIGN KEY (question_id) REFERENCES public.questions(id) ON DELETE CASCADE;


--
-- Name: imported_answers imported_answers_question_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imported_answers
    ADD CONSTRAINT imported_answers_question_id_fkey FOREIGN KEY (question_id) REFERENCES public.questions(id) ON DELETE CASCADE;


--
-- Name: imported_questions imported_questions_question_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imported_questions
    ADD CONSTRAINT imported_questions_question_id_fkey FOREIGN KEY (question_id) REFERENCES public.questions(id) ON DELETE CASCADE;


--
-- Name: notification_emails notification_emails_question_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notification_emails
    ADD CONSTRAINT notification_emails_question_id_fkey FOREIGN KEY (question_id) REFERENCES public.questions(id) ON DELETE CASCADE;


--
-- Name: outreach_recipients outreach_recipients_consent_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outreach_recipients
    ADD CONSTRAINT outreach_recipients_consent_id_fkey FOREIGN KEY (consent_id) REFERENCES public.notification_emails(id) ON DELETE CASCADE;


--
-- Name: outreach_recipients outreach_recipients_outreach_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outreach_recipients
    ADD CONSTRAINT outreach_recipients_outreach_id_fkey FOREIGN KEY (outreach_id) REFERENCES public.outreach(id) ON DELETE CASCADE;


--
-- Name: outreach outreach_sender_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outreach
    ADD CONSTRAINT outreach_sender_id_fkey FOREIGN KEY (sender_id) REFERENCES public.persons(id) ON DELETE SET NULL;


--
-- Name: person_topics person_topics_person_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.person_topics
    ADD CONSTRAINT person_topics_person_id_fkey FOREIGN KEY (person_id) REFERENCES public.persons(id) ON DELETE CASCADE;


--
-- Name: person_topics person_topics_topic_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.person_topics
    ADD CONSTRAINT person_topics_topic_id_fkey FOREIGN KEY (topic_id) REFERENCES public.topics(id) ON DELETE CASCADE;


--
-- Name: question_revisions question_revisions_question_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.question_revisions
    ADD CONSTRAINT question_revisions_question_id_fkey FOREIGN KEY (question_id) REFERENCES public.questions(id) ON DELETE CASCADE;


--
-- Name: questions questions_person_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.questions
    ADD CONSTRAINT questions_person_id_fkey FOREIGN KEY (person_id) REFERENCES public.persons(id) ON DELETE SET NULL;


--
-- Name: questions questions_topic_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.questions
    ADD CONSTRAINT questions_topic_id_fkey FOREIGN KEY (topic_id) REFERENCES public.topics(id) ON DELETE SET NULL;


--
-- Name: webhook_deliveries webhook_deliveries_endpoint_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_endpoint_id_fkey FOREIGN KEY (endpoint_id) REFERENCES public.webhook_endpoints(id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--

\unrestrict enSbyX39cJj79e4akqa5t0ix5FCeKbZ1bMcOiOd6zZtuBKL1Ob0IVJDWZp0Pqh9

