BEGIN TRANSACTION;
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO "alembic_version" VALUES('0008_answer_hiding');
CREATE TABLE answer_revisions (
	id INTEGER NOT NULL, 
	answer_id INTEGER NOT NULL, 
	body TEXT NOT NULL, 
	body_html TEXT NOT NULL, 
	written_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(answer_id) REFERENCES answers (id) ON DELETE CASCADE
);
CREATE TABLE answers (
	id INTEGER NOT NULL, 
	question_id INTEGER NOT NULL, 
	person_id INTEGER NOT NULL, 
	body TEXT NOT NULL, 
	body_html TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	edited_at DATETIME, hidden_reason VARCHAR(200) DEFAULT '' NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(person_id) REFERENCES persons (id), 
	FOREIGN KEY(question_id) REFERENCES questions (id) ON DELETE CASCADE
);
INSERT INTO "answers" VALUES(1,1,1,'Most likely antennas and placement, not the standard. Metal racking and freezer doors reflect heavily. We''d start with a **predictive survey** and directional antennas along the aisles; Wi-Fi 7 helps capacity, not reflections.','<p>Most likely antennas and placement, not the standard. Metal racking and freezer doors reflect heavily. We''d start with a <strong>predictive survey</strong> and directional antennas along the aisles; Wi-Fi 7 helps capacity, not reflections.</p>','2026-11-16 19:28:31.778061',NULL,'');
INSERT INTO "answers" VALUES(2,2,2,'Yes: SAML 2.0 and OIDC, with SCIM for deprovisioning. Local admin accounts can be disabled once SSO is verified.','<p>Yes: SAML 2.0 and OIDC, with SCIM for deprovisioning. Local admin accounts can be disabled once SSO is verified.</p>','2026-11-17 14:28:31.778061',NULL,'');
INSERT INTO "answers" VALUES(3,3,3,'Today it is **6–8 weeks** for 40 units. Our PCB supplier added a second fab line in March, so quotes are firm for 30 days.','<p>Today it is <strong>6–8 weeks</strong> for 40 units. Our PCB supplier added a second fab line in March, so quotes are firm for 30 days.</p>','2026-11-18 13:28:31.778061',NULL,'');
INSERT INTO "answers" VALUES(4,4,4,'Business hours are included; 24/7 with a 1-hour response is the Critical plan. For hospitals we usually recommend it for the core only.','<p>Business hours are included; 24/7 with a 1-hour response is the Critical plan. For hospitals we usually recommend it for the core only.</p>','2026-11-20 21:28:31.778061',NULL,'');
INSERT INTO "answers" VALUES(5,5,1,'Point-to-point bridge plus 802.11r fast roaming on one SSID. Sessions survive because the controller keeps the client state across both halls.','<p>Point-to-point bridge plus 802.11r fast roaming on one SSID. Sessions survive because the controller keeps the client state across both halls.</p>','2026-11-22 16:28:31.778061',NULL,'');
INSERT INTO "answers" VALUES(6,6,2,'Yes, syslog over TLS or plain CEF. No cloud relay needed: logs go straight from the appliance to your collector.','<p>Yes, syslog over TLS or plain CEF. No cloud relay needed: logs go straight from the appliance to your collector.</p>','2026-11-24 10:28:31.778061',NULL,'');
INSERT INTO "answers" VALUES(7,7,3,'All NW-series boards are RoHS 3 and REACH compliant. I can send the signed declaration.','<p>All NW-series boards are RoHS 3 and REACH compliant. I can send the signed declaration.</p>','2026-11-25 02:28:31.778061',NULL,'');
INSERT INTO "answers" VALUES(8,8,5,'Yes. Three-year agreements lock list prices; we publish the indexation rule in the contract rather than leaving it to renewal time.','<p>Yes. Three-year agreements lock list prices; we publish the indexation rule in the contract rather than leaving it to renewal time.</p>','2026-11-27 10:28:31.778061',NULL,'');
INSERT INTO "answers" VALUES(9,9,4,'Yes. Licences are self-managed by default; managed service is optional.','<p>Yes. Licences are self-managed by default; managed service is optional.</p>','2026-11-28 11:28:31.778061',NULL,'');
INSERT INTO "answers" VALUES(10,10,2,'On our advisories page with an Atom feed, plus CVE IDs. We aim to publish within 72 h of a confirmed issue.','<p>On our advisories page with an Atom feed, plus CVE IDs. We aim to publish within 72 h of a confirmed issue.</p>','2026-11-30 04:28:31.778061',NULL,'');
INSERT INTO "answers" VALUES(11,11,3,'Rated 250,000 h at 25 °C. Field data over 3 years is better; for 200 sites, 4 spares has been plenty.','<p>Rated 250,000 h at 25 °C. Field data over 3 years is better; for 200 sites, 4 spares has been plenty.</p>','2026-12-01 06:28:31.778061',NULL,'');
INSERT INTO "answers" VALUES(12,12,4,'Yes — we lend hardware for 30 days and a named engineer joins your kick-off.','<p>Yes — we lend hardware for 30 days and a named engineer joins your kick-off.</p>','2026-11-30 22:28:31.778061',NULL,'');
INSERT INTO "answers" VALUES(13,13,1,'Yes, **we do**: fixture answer.','<p>Yes, <strong>we do</strong>: fixture answer.</p>','2026-12-03 08:30:42.929495',NULL,'');
CREATE TABLE api_tokens (
	id INTEGER NOT NULL, 
	person_id INTEGER NOT NULL, 
	label VARCHAR(80) NOT NULL, 
	token_hash VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	last_used_at DATETIME, 
	revoked_at DATETIME, 
	PRIMARY KEY (id), 
	FOREIGN KEY(person_id) REFERENCES persons (id) ON DELETE CASCADE, 
	UNIQUE (token_hash)
);
INSERT INTO "api_tokens" VALUES(1,5,'CRM sync','7f05615ef0c1e249dd40ab0b924681f54ee64f475c31145b8f2f08299285a224','2026-12-03 08:29:04.902768',NULL,NULL);
CREATE TABLE contact_requests (
	id INTEGER NOT NULL, 
	question_id INTEGER NOT NULL, 
	answer_id INTEGER, 
	person_id INTEGER NOT NULL, 
	email VARCHAR(254) NOT NULL, 
	company VARCHAR(120) NOT NULL, 
	job_role VARCHAR(120) NOT NULL, 
	consented_at DATETIME NOT NULL, 
	created_at DATETIME NOT NULL, 
	handled_at DATETIME, 
	PRIMARY KEY (id), 
	FOREIGN KEY(question_id) REFERENCES questions (id) ON DELETE CASCADE, 
	FOREIGN KEY(answer_id) REFERENCES answers (id) ON DELETE SET NULL, 
	FOREIGN KEY(person_id) REFERENCES persons (id) ON DELETE CASCADE
);
CREATE TABLE curated_picks (
	id INTEGER NOT NULL, 
	entry_id INTEGER, 
	person_id INTEGER, 
	slug VARCHAR(80) NOT NULL, 
	title VARCHAR(300) NOT NULL, 
	source_url VARCHAR(2000), 
	note TEXT NOT NULL, 
	topics VARCHAR(500) NOT NULL, 
	market BOOLEAN NOT NULL, 
	path VARCHAR(300) NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(entry_id) REFERENCES feed_entries (id) ON DELETE SET NULL, 
	FOREIGN KEY(person_id) REFERENCES persons (id) ON DELETE SET NULL, 
	UNIQUE (entry_id), 
	UNIQUE (slug)
);
CREATE TABLE feed_entries (
	id INTEGER NOT NULL, 
	feed_id INTEGER NOT NULL, 
	"key" VARCHAR(500) NOT NULL, 
	link VARCHAR(2000), 
	title VARCHAR(300) NOT NULL, 
	author VARCHAR(200) NOT NULL, 
	summary_html TEXT NOT NULL, 
	published_at DATETIME NOT NULL, 
	fetched_at DATETIME NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(feed_id) REFERENCES feeds (id) ON DELETE CASCADE, 
	UNIQUE (feed_id, "key")
);
CREATE TABLE feeds (
	id INTEGER NOT NULL, 
	url VARCHAR(2000) NOT NULL, 
	title VARCHAR(300) NOT NULL, 
	topic_id INTEGER, 
	etag VARCHAR(300), 
	last_modified VARCHAR(100), 
	status VARCHAR(16) NOT NULL, 
	message TEXT NOT NULL, 
	fetched_at DATETIME, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(topic_id) REFERENCES topics (id) ON DELETE SET NULL, 
	UNIQUE (url)
);
CREATE TABLE follow_ups (
	id INTEGER NOT NULL, 
	question_id INTEGER NOT NULL, 
	body TEXT NOT NULL, 
	body_html TEXT NOT NULL, 
	created_at DATETIME NOT NULL, status VARCHAR(16) DEFAULT 'published' NOT NULL, hold_reason VARCHAR(200) DEFAULT '' NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(question_id) REFERENCES questions (id) ON DELETE CASCADE
);
INSERT INTO "follow_ups" VALUES(1,1,'Thanks — the survey is booked.','<p>Thanks — the survey is booked.</p>','2026-11-17 22:28:31.778061','published','');
INSERT INTO "follow_ups" VALUES(2,26,'And to Sweden too?','<p>And to Sweden too?</p>','2026-12-03 08:30:43.384180','published','');
CREATE TABLE imported_answers (
	id INTEGER NOT NULL, 
	question_id INTEGER NOT NULL, 
	site VARCHAR(120) NOT NULL, 
	source_id INTEGER NOT NULL, 
	source_url VARCHAR(255) NOT NULL, 
	author VARCHAR(120) NOT NULL, 
	author_url VARCHAR(255), 
	body_html TEXT NOT NULL, 
	accepted BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(question_id) REFERENCES questions (id) ON DELETE CASCADE, 
	UNIQUE (site, source_id)
);
INSERT INTO "imported_answers" VALUES(1,21,'coffee.stackexchange.com',24,'https://coffee.stackexchange.com/a/24','user 24','https://coffee.stackexchange.com/users/24','<p><strong>In a cool, dark, dry, place and whenever possible vacuum sealed.</strong></p>

<p>The oils in roasted coffee degrade as they are exposed to air (oxidization) as well as heated. As with just about any foodstuff moisture adds in the spoiling process as well. If you can store your coffee in completely sealed, insulated containers that are opaque and if you have the ability, vacuum pump the air out of the container as well. Failing that storing them inside a ziplock bag or coffee bag with a 1-way air seal and pushing as much air out as possible and then storing it in a sealed, dark and dry container/place should help to ensure the freshness and flavor of the beans for as long as possible. </p>
',1,'2015-01-27 21:17:34.843000');
INSERT INTO "imported_answers" VALUES(2,21,'coffee.stackexchange.com',1617,'https://coffee.stackexchange.com/a/1617','user 443','https://coffee.stackexchange.com/users/443','<p>I would add to NOT store it in the refrigerator or freezer.  Better at room temperature and dry than cold where it could be exposed to food smells and moisture.  You didn''t ask, but also drink it as soon as possible if it''s ground.  Whole beans will keep for awhile but ground coffee will start to go stale after a week or two, even if stored properly.</p>

<p>The National Coffee Association (ncausa.ogr) advises this:<br>
"It is important not to refrigerate or freeze your daily supply of coffee because contact with moisture will cause it to deteriorate.  Instead, store coffee in air-tight glass or ceramic containers and keep it in a convenient, but dark and cool, location. Remember that a cabinet near the oven is often too warm, as is a cabinet on an outside wall of your kitchen if it receives heat from a strong afternoon or summer sun.</p>

<p>The commercial coffee containers that you purchased your coffee in are generally not appropriate for long-term storage. Appropriate coffee storage canisters with an airtight seal are a worthwhile investment."</p>
',0,'2015-03-04 22:45:07.337000');
INSERT INTO "imported_answers" VALUES(3,21,'coffee.stackexchange.com',1618,'https://coffee.stackexchange.com/a/1618','user 446','https://coffee.stackexchange.com/users/446','<p><strong>Room temperature, open-air is fine (for a while)</strong></p>

<p>"Microroasted" implies that you purchased the beans where the roasting was done on premises. That means it was probably roasted recently, within a couple of days. Roasts vary, but generally a bean will remain fresh for a week or two, open-air, room temperature from the time of roasting. One person might take two weeks to use a pound of beans. Just keep it in the closed bag, away from temperature extremes.</p>

<p>No coffee will taste fresh after months, no matter the storage. There are gas-valve tins and bags available online. Coffee beans are quiet dynamic. The chemistry continues long after the roasting heat is removed. The logic behind one-way valves is that fresh-roasted beans continue to release gases that were trapped in the beans. I roast coffee beans and store them in a dark cabinet in a wire basket, exposed to the kitchen air. No bean survives more than 10 days. Most often, the flavor actually improves after a few days.</p>
',0,'2015-03-05 05:21:11.797000');
INSERT INTO "imported_answers" VALUES(4,22,'coffee.stackexchange.com',21,'https://coffee.stackexchange.com/a/21','user 17','https://coffee.stackexchange.com/users/17','<p>In general, the coarseness of fine sand. It will be difficult to effectively communicate grind size here, and what is recommended is to go to your local coffee shop, have them grind a sample of coffee for you on their drip grind, and then have you take that home and calibrating your grinder to a similar size, adjusting for taste.</p>
',0,'2015-01-27 21:12:16.330000');
INSERT INTO "imported_answers" VALUES(5,22,'coffee.stackexchange.com',22,'https://coffee.stackexchange.com/a/22','user 24','https://coffee.stackexchange.com/users/24','<p><strong>In general consistency is more important than a specific setting.</strong></p>

<p>The key is that you can actually control both the size of the grind and actually achieve a homogenous grind allowing you to increase the consistency in the coffee when you brew it as you can assertively control the service area being exposed during the brewing process. Since you stated that you have a burr grinder you are off to a great start. There is no defined, agreed upon coarseness of grind for pour over coffee, but I would definitely say that you would want a courser grind than you would for espresso. Experiment to find the sweet spot by making sure you use exactly the same water, coffee bean roast, and number of beans (and thus volume) between different grind settings to find what meets your flavor best. </p>

<p>If you are particularly worried about "getting it right" or do not want to do a ton of experimentation an easy and quick way to jump to a grid would simply to go to a coffee shop, buy a bag of whole beans, ask them to grind it and query them for how coarse of a grind is. </p>
',0,'2015-01-27 21:12:35.147000');
INSERT INTO "imported_answers" VALUES(6,23,'coffee.stackexchange.com',15,'https://coffee.stackexchange.com/a/15','user 24','https://coffee.stackexchange.com/users/24','<p><strong>Yes.</strong></p>

<p>That is to say it will definitely affect flavor, but how it affects the flavor is ultimately dependent upon the specific mineral compounds found in your hard water vs. other hard waters and soft water''s lack of these compounds. </p>

<blockquote>
  <p>Here''s the key: Some of the compounds in hard water are "sticky," glomming onto certain compounds in coffee when they meet (in your coffeemaker). The more eugenol the water hangs on to, for example, the woodsier the taste of your coffee will be. </p>
  
  <p>Magnesium is particularly sticky, meaning water that''s high in magnesium will make coffee with a stronger flavor (and higher levels of caffeine). Hard water can also have high levels of bicarbonate, though, which Hendon found could lead to more bitter flavors coming through.  - A Chemist Has Uncovered A Secret To Brewing Delicious Coffee At Home <a href="http://www.businessinsider.com/a-chemist-has-uncovered-a-secret-to-delicious-coffee-2014-6#ixzz3Q3ecJSgz" rel="nofollow ugc noopener"><em>Business Insider</em></a>. </p>
</blockquote>

<p>So depending on flavor preferences you might prefer your hard water at home but dislike it at work or simply prefer soft water altogether. Traditionally hard water is actually sought after for other beverage processes like beer brewing because of some of the abilities described above. </p>
',1,'2015-01-27 21:03:42.773000');
INSERT INTO "imported_answers" VALUES(7,24,'coffee.stackexchange.com',37,'https://coffee.stackexchange.com/a/37','user 42','https://coffee.stackexchange.com/users/42','<p>By having a thin spout, you can more finely control the flow rate and where the water lands.    When making pour-over coffee, you want to control the water level in the cone to control the brew time and evenly extract coffee.  Also, water needs to be poured carefully onto the middle of the cone so that the water doesn''t run down the side of the cone without touching the coffee grounds.</p>
',1,'2015-01-27 21:58:54.353000');
INSERT INTO "imported_answers" VALUES(8,25,'coffee.stackexchange.com',7,'https://coffee.stackexchange.com/a/7','user 4','https://coffee.stackexchange.com/users/4','<p>Tamping is one of three key controls you have over the espresso brewing process; The others are dose (the amount of coffee used) and grind coarseness.  Together, they allow the coffee machine operator to produce a puck of the correct density and consistency through which the pressurized water can be pushed through.</p>

<p>While techniques vary, the "rule of thumb" is to apply roughly thirty pounds of force evenly across the puck; however, the key is consistency.  Keep your variables the consistent and you''ll be able to dial in the best end-product.</p>

<p>I''ve been able to pull great shots using anything from just the weight of the tamper itself to my full weight pushed onto a puck, keeping all of the other factors where they needed to be to create the correct puck density.</p>

<p>See this video below for more detail:
<a href="http://community.wholelattelove.com/videos/1854/quick-tip-what-is-the-right-way-to-tamp" rel="nofollow ugc noopener">http://community.wholelattelove.com/videos/1854/quick-tip-what-is-the-right-way-to-tamp</a></p>
',0,'2015-01-27 20:46:43.660000');
INSERT INTO "imported_answers" VALUES(9,25,'coffee.stackexchange.com',8,'https://coffee.stackexchange.com/a/8','user 17','https://coffee.stackexchange.com/users/17','<p>Let''s start off with what the function of the tamp is.</p>

<p></p>

<h2>Function</h2>

<p>The tamp is cylindrical in shape and is ideally just snug enough to fit into the portafilter smoothly. What the tamp does, is prime the coffee bed to be met with water. What we know about the water is that in general, in commercial machines, water is applied with 9 bars of pressure. Physics tells us that pressured water flow will take the path of least resistance. By this logic, the tamp functions by making the coffee bed smooth, even, and robust enough to be hit with 9 bars of pressure and extract evenly. </p>

<h2>Barista Health</h2>

<p><em>Note: In no way am I a qualified physician. This is not to be considered medical advice.</em></p>

<p>If the surface one tamps on is on the proper level, the barista should be able to tamp with their elbo at a 90 degree(ish) angle, and their wrists in a semi-straight path to prevent damage. The barista can then use their body weight, and not muscle, to perform the tamp. By leaning into the tamp with the correct path, one can achieve about 30lbs of pressure. </p>

<h2>Experiments with varying pressure</h2>

<p>Personally I have experimented with varying pressured tamps and have found that applying a greater pressure than 30 lbs produced little effect, at most, a longer extraction. There are other variables that should be adjusted instead, such as the grind size, to achieve such an effect.</p>
',1,'2015-01-27 20:50:57.833000');
CREATE TABLE imported_questions (
	question_id INTEGER NOT NULL, 
	site VARCHAR(120) NOT NULL, 
	source_id INTEGER NOT NULL, 
	source_url VARCHAR(255) NOT NULL, 
	PRIMARY KEY (question_id), 
	FOREIGN KEY(question_id) REFERENCES questions (id) ON DELETE CASCADE, 
	UNIQUE (site, source_id)
);
INSERT INTO "imported_questions" VALUES(21,'coffee.stackexchange.com',1,'https://coffee.stackexchange.com/q/1');
INSERT INTO "imported_questions" VALUES(22,'coffee.stackexchange.com',2,'https://coffee.stackexchange.com/q/2');
INSERT INTO "imported_questions" VALUES(23,'coffee.stackexchange.com',3,'https://coffee.stackexchange.com/q/3');
INSERT INTO "imported_questions" VALUES(24,'coffee.stackexchange.com',4,'https://coffee.stackexchange.com/q/4');
INSERT INTO "imported_questions" VALUES(25,'coffee.stackexchange.com',5,'https://coffee.stackexchange.com/q/5');
CREATE TABLE moderation_actions (
	id INTEGER NOT NULL, 
	action VARCHAR(16) NOT NULL, 
	target VARCHAR(40) NOT NULL, 
	reason VARCHAR(200) NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE "notification_emails" (
	id INTEGER NOT NULL, 
	question_id INTEGER NOT NULL, 
	email VARCHAR(254) NOT NULL, 
	confirmed_at DATETIME, 
	active BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	topic_news BOOLEAN DEFAULT 0 NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(question_id) REFERENCES questions (id) ON DELETE CASCADE, 
	UNIQUE (question_id)
);
INSERT INTO "notification_emails" VALUES(1,26,'ola@example.no',NULL,1,'2026-12-03 08:30:38.568905',0);
INSERT INTO "notification_emails" VALUES(2,28,'kim@example.com',NULL,1,'2026-12-03 08:30:39.549863',0);
CREATE TABLE outreach (
	id INTEGER NOT NULL, 
	sender_id INTEGER, 
	item_kind VARCHAR(16) NOT NULL, 
	item_ref VARCHAR(255) NOT NULL, 
	note TEXT NOT NULL, 
	sent INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(sender_id) REFERENCES persons (id) ON DELETE SET NULL
);
CREATE TABLE outreach_recipients (
	outreach_id INTEGER NOT NULL, 
	consent_id INTEGER NOT NULL, 
	PRIMARY KEY (outreach_id, consent_id), 
	FOREIGN KEY(outreach_id) REFERENCES outreach (id) ON DELETE CASCADE, 
	FOREIGN KEY(consent_id) REFERENCES notification_emails (id) ON DELETE CASCADE
);
CREATE TABLE person_topics (
	person_id INTEGER NOT NULL, 
	topic_id INTEGER NOT NULL, 
	PRIMARY KEY (person_id, topic_id), 
	FOREIGN KEY(person_id) REFERENCES persons (id) ON DELETE CASCADE, 
	FOREIGN KEY(topic_id) REFERENCES topics (id) ON DELETE CASCADE
);
INSERT INTO "person_topics" VALUES(1,1);
INSERT INTO "person_topics" VALUES(2,2);
INSERT INTO "person_topics" VALUES(3,3);
INSERT INTO "person_topics" VALUES(4,4);
INSERT INTO "person_topics" VALUES(4,1);
INSERT INTO "person_topics" VALUES(5,4);
CREATE TABLE persons (
	id INTEGER NOT NULL, 
	slug VARCHAR(80) NOT NULL, 
	name VARCHAR(120) NOT NULL, 
	job_title VARCHAR(120) NOT NULL, 
	email VARCHAR(254) NOT NULL, 
	password_hash VARCHAR(255) NOT NULL, 
	photo VARCHAR(255), 
	bio TEXT NOT NULL, 
	roles VARCHAR(120) NOT NULL, 
	active BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (email), 
	UNIQUE (slug)
);
INSERT INTO "persons" VALUES(1,'dana-ortiz','Dana Ortiz','Network Engineer','dana@northwind.example','scrypt:32768:8:1$Pg1CRzYglcgyv1MW$b2aae59c35bdb7ec147ab61e2979edd082fc027dc0622ec0e4b4a6d0c00716a22d3b6e494ebfb86533fe7c378cc9f43d829d968802f4aaee2690d039f4851ae4',NULL,'Designs campus and warehouse networks. Ten years of Wi-Fi surveys behind her.','staff,admin',1,'2026-12-03 08:28:32.996084');
INSERT INTO "persons" VALUES(2,'sam-lee','Sam Lee','Security Architect','sam@northwind.example','scrypt:32768:8:1$PKKkamgG6pOmcf2X$32b3345a32f32964f8f4a413e58da8044659a4d3ea564280ab82d05f085c54b9a361bf8dd1014db3e43ccf71626293f2df7d10d671f6e2b6a94749e90950c5e7',NULL,'Helps customers move from VPNs to zero trust without a big-bang migration.','staff',1,'2026-12-03 08:28:34.306629');
INSERT INTO "persons" VALUES(3,'priya-raman','Priya Raman','Hardware Product Manager','priya@northwind.example','scrypt:32768:8:1$MZ8rDg6ThBFfh0bu$d8f83f6ca293a1394299b3f66ffcc85e4e6b1603154d608e8cf466b9721f3731863693f37ee83853da8c3280633cde824eaf690132f645625dedf9dcc96899bc',NULL,'Owns the NW-series appliances, from PCB supply to end of life.','staff,marketer',1,'2026-12-03 08:28:35.667151');
INSERT INTO "persons" VALUES(4,'tom-becker','Tom Becker','Customer Success Lead','tom@northwind.example','scrypt:32768:8:1$aFGfDq0U5QBaBHgW$dbfe13f1e121d4ad78a51831fcbfeb9406dceaf3990521a34190fbef32f5c170a5958f53a07193641f47c558e081454857872746fa8066d8560ece8f2676835e',NULL,'Onboards new customers and keeps SLAs honest.','staff,moderator',1,'2026-12-03 08:28:36.489889');
INSERT INTO "persons" VALUES(5,'alex-morgan','Alex Morgan','CEO','alex@northwind.example','scrypt:32768:8:1$3X1P5avfqhNFLxiu$13c6c8e881039bb39d0f581c51039b0869bca7b4453cff3b6b8f8206d341fdc483a3b71ca8a0f85d1c1e9cdf77a60ba648583898a7c82f1ca350053f2dc16bd6',NULL,'Co-founded Northwind. Reads every digest and answers the hard commercial questions.','staff,owner',1,'2026-12-03 08:28:37.193921');
CREATE TABLE question_revisions (
	id INTEGER NOT NULL, 
	question_id INTEGER NOT NULL, 
	title VARCHAR(200) NOT NULL, 
	body TEXT NOT NULL, 
	body_html TEXT NOT NULL, 
	written_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(question_id) REFERENCES questions (id) ON DELETE CASCADE
);
CREATE TABLE "questions" (
	id INTEGER NOT NULL, 
	title VARCHAR(200) NOT NULL, 
	body TEXT NOT NULL, 
	body_html TEXT NOT NULL, 
	display_name VARCHAR(80) NOT NULL, 
	topic_id INTEGER, 
	person_id INTEGER, 
	manage_token_hash VARCHAR(64) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	accepted_answer_id INTEGER, 
	created_at DATETIME NOT NULL, 
	edited_at DATETIME, 
	hold_reason VARCHAR(200) DEFAULT ('') NOT NULL, 
	assignee_id INTEGER, 
	reminded_at DATETIME, 
	escalated_at DATETIME, 
	PRIMARY KEY (id), 
	CONSTRAINT fk_questions_accepted_answer FOREIGN KEY(accepted_answer_id) REFERENCES answers (id) ON DELETE SET NULL, 
	CONSTRAINT fk_questions_assignee FOREIGN KEY(assignee_id) REFERENCES persons (id) ON DELETE SET NULL, 
	FOREIGN KEY(topic_id) REFERENCES topics (id) ON DELETE SET NULL, 
	FOREIGN KEY(person_id) REFERENCES persons (id) ON DELETE SET NULL, 
	UNIQUE (manage_token_hash)
);
INSERT INTO "questions" VALUES(1,'Can your APs handle 300 handheld scanners in one aisle?','We run a cold-storage warehouse with dense shelving. Today''s Wi-Fi drops scanners in the freezer zone. Would Wi-Fi 7 help, or is it an antenna problem?','<p>We run a cold-storage warehouse with dense shelving. Today''s Wi-Fi drops scanners in the freezer zone. Would Wi-Fi 7 help, or is it an antenna problem?</p>','Maria K.',1,NULL,'61367a46bf89bac041ac3c5f131b842640e9c193911bc4f5fb4d1ac67d7ebf32','answered',1,'2026-11-16 16:28:31.778061',NULL,'',NULL,NULL,NULL);
INSERT INTO "questions" VALUES(2,'Do you support SAML single sign-on for the admin portal?','Our auditors want every admin login behind our IdP (Entra ID).','<p>Our auditors want every admin login behind our IdP (Entra ID).</p>','J. Okafor',2,NULL,'3bb42c7a510503677329f3bf83d9de7f5124aa8d7a82f3f833c2715d7ba945b4','answered',NULL,'2026-11-17 12:28:31.778061',NULL,'',NULL,NULL,NULL);
INSERT INTO "questions" VALUES(3,'What is the current lead time for NW-4800 switches?','We need 40 units for a Q2 rollout.','<p>We need 40 units for a Q2 rollout.</p>','Lena',3,NULL,'a689769530c2be6548c63934dc7887b8b6202651df6178bab273dc91ea929aa1','answered',NULL,'2026-11-18 08:28:31.778061',NULL,'',NULL,NULL,NULL);
INSERT INTO "questions" VALUES(4,'Is 24/7 support included or an add-on?','Comparing you with two other vendors for a hospital network.','<p>Comparing you with two other vendors for a hospital network.</p>','Chris',4,NULL,'5172c6e47c964bf426f2cdca3db68a874091155d613df7fbd521b6d9498e75aa','answered',NULL,'2026-11-20 20:28:31.778061',NULL,'',NULL,NULL,NULL);
INSERT INTO "questions" VALUES(5,'Dana, how do you handle roaming between buildings?','Forklifts move between two halls 80 m apart and lose sessions.','<p>Forklifts move between two halls 80 m apart and lose sessions.</p>','Ahmed',1,1,'209a5fcd275d28c0d3d75509e40ecfa0778be634f7bbf96ff1973a0c157fbe66','answered',NULL,'2026-11-22 12:28:31.778061',NULL,'',1,NULL,NULL);
INSERT INTO "questions" VALUES(6,'Can the firewall log to our own SIEM?','We use a self-hosted Wazuh.','<p>We use a self-hosted Wazuh.</p>','Ingrid',2,NULL,'4096b9ac2401f16ed03e7f958b52e9ca58e6735ad50c21e394ae8e2e68c31ce9','answered',NULL,'2026-11-24 04:28:31.778061',NULL,'',NULL,NULL,NULL);
INSERT INTO "questions" VALUES(7,'Are your PCBs lead-free (RoHS 3)?','Procurement needs a declaration.','<p>Procurement needs a declaration.</p>','P. Novak',3,NULL,'605187f30e15480adf2f07bedabedbe6c4d517c4fccff411fefb96eb2b0dc503','answered',NULL,'2026-11-25 00:28:31.778061',NULL,'',NULL,NULL,NULL);
INSERT INTO "questions" VALUES(8,'Alex, do you offer multi-year price locks?','Budget cycles here are three years.','<p>Budget cycles here are three years.</p>','Grace',4,5,'f761c3efbe7084e77007efc749e863f88a657593780c23aead8da3ba6633768f','answered',NULL,'2026-11-27 02:28:31.778061',NULL,'',5,NULL,NULL);
INSERT INTO "questions" VALUES(9,'Do you sell SD-WAN without managed services?','We have our own NOC.','<p>We have our own NOC.</p>','Tobias',1,NULL,'8e77df3f19031e3155100725db0c7419c3ea34330e86bbe4e0b8e0a81faefab6','answered',NULL,'2026-11-28 08:28:31.778061',NULL,'',NULL,NULL,NULL);
INSERT INTO "questions" VALUES(10,'How do you publish vulnerability advisories?','We want to subscribe.','<p>We want to subscribe.</p>','R. Silva',2,NULL,'e3f4104d679454a34c146ef5d65fd0a0cf5f578e760624683088dacfde7afecc','answered',NULL,'2026-11-29 08:28:31.778061',NULL,'',NULL,NULL,NULL);
INSERT INTO "questions" VALUES(11,'What is the MTBF of the NW-2200 power supply?','Sizing spares for 200 sites.','<p>Sizing spares for 200 sites.</p>','Mei',3,NULL,'18cee69e6fca9d86dbf992e505ae4aa668a19b032b195b963764ebde6a6cb72f','answered',NULL,'2026-11-30 00:28:31.778061',NULL,'',NULL,NULL,NULL);
INSERT INTO "questions" VALUES(12,'Can we do a proof of concept before buying?','Two sites, four weeks.','<p>Two sites, four weeks.</p>','Oskar',4,NULL,'a864153808c8315c606b15ec91a4d5b8ae886878553cd28d8e8eda6f98b76c25','answered',NULL,'2026-11-30 20:28:31.778061',NULL,'',NULL,NULL,NULL);
INSERT INTO "questions" VALUES(13,'Is there an on-prem option for the management console?','Our regulator does not allow cloud management for this network.','<p>Our regulator does not allow cloud management for this network.</p>','Hannah',2,NULL,'34b655d2a6198b129b4101f8157a152e26ed7a304f47733e50c4388b58fc0706','answered',NULL,'2026-11-27 02:28:31.778061',NULL,'',NULL,NULL,NULL);
INSERT INTO "questions" VALUES(14,'Do your switches support EVPN-VXLAN?','Planning a small data-centre fabric.','<p>Planning a small data-centre fabric.</p>','Viktor',1,NULL,'d432ddff5219c9f1ee6730ad62e57b477c7d0e83a231178f9e8203246de36d83','open',NULL,'2026-11-30 08:28:31.778061',NULL,'',4,NULL,NULL);
INSERT INTO "questions" VALUES(15,'Can we get the NW-4800 in a fanless version?','It sits in an office, noise matters.','<p>It sits in an office, noise matters.</p>','Nora',3,3,'0cbb62685b835ae45f2781695711818aa49d58e35099f08374b6c944ed5b2d05','open',NULL,'2026-12-01 06:28:31.778061',NULL,'',3,NULL,NULL);
INSERT INTO "questions" VALUES(16,'What does onboarding look like for 50 sites?','We''d like a rough timeline.','<p>We''d like a rough timeline.</p>','Felix',4,NULL,'6026919e55a4b6d1e5169d331cf50ac1e1033daf7f8531edabb0acacb5ac729e','open',NULL,'2026-12-02 02:28:31.778061',NULL,'',4,NULL,NULL);
INSERT INTO "questions" VALUES(17,'Do you have partners in Japan?','Looking for a local integrator.','<p>Looking for a local integrator.</p>','Yuki',NULL,NULL,'da5c19f2f689709bbace10d8b44833ee35643752bb4b1f13561c0a12a71b3e27','open',NULL,'2026-12-02 12:28:31.778061',NULL,'',NULL,NULL,NULL);
INSERT INTO "questions" VALUES(18,'Dana, outdoor APs for a port terminal?','Salt spray and wind. What rating do we need?','<p>Salt spray and wind. What rating do we need?</p>','Ben',1,1,'394aa3fd4d2fb15c3ec2d723ac6a8dbc6b02373b29cca625c6c97ea4656826b8','open',NULL,'2026-12-03 02:28:31.778061',NULL,'',1,NULL,NULL);
INSERT INTO "questions" VALUES(19,'Do you support 802.1X with certificates only?','No passwords on the wired network.','<p>No passwords on the wired network.</p>','Sofia',2,NULL,'87f606390adf896e159d79153b900b59c4ce223b20f618011f1b1f0a581d1622','open',NULL,'2026-12-03 05:28:31.778061',NULL,'',NULL,NULL,NULL);
INSERT INTO "questions" VALUES(20,'Is there a rack kit for the NW-2200?','Two per 1U shelf?','<p>Two per 1U shelf?</p>','Luca',3,NULL,'fa680537e81dc07058c7e4d3fa56ea286325afc5106b90374721f7411f726c75','open',NULL,'2026-12-03 07:28:31.778061',NULL,'',NULL,NULL,NULL);
INSERT INTO "questions" VALUES(21,'How should I store whole bean coffee?','I just got a pound of microroasted, local coffee and am curious what the optimal way to store it is (what temperature, humidity, etc)','<p>I just got a pound of microroasted, local coffee and am curious what the optimal way to store it is (what temperature, humidity, etc)</p>
','user 4',NULL,NULL,'abed040d7053e723f5cb0ea6cfc2fc7679f38a203d82813a1cc92ad9ec44e3dd','imported',NULL,'2015-01-27 20:09:32.720000',NULL,'',NULL,NULL,NULL);
INSERT INTO "questions" VALUES(22,'How fine should I grind coffee for drip/pour over coffee','I manually grind coffee beans for drip coffee but I thought that depending on whether the coffee is intended to be used for a cafetiere or espresso machine then the fineness needs to be varied. 

 So what is the optimum fineness for drip coffee? 

 Does it matter so much given that I am not using pressure (typically 15 bar in an espresso machine) to force hot water through the coffee grounds.','<p>I manually grind coffee beans for drip coffee but I thought that depending on whether the coffee is intended to be used for a cafetiere or espresso machine then the fineness needs to be varied.</p>

<p>So what is the optimum fineness for drip coffee?</p>

<p>Does it matter so much given that I am not using pressure (typically 15 bar in an espresso machine) to force hot water through the coffee grounds.</p>
','user 8',NULL,NULL,'77c7be02714d044b06caf217dbf018ee6571cae57f660200b30b4683553bed2e','imported',NULL,'2015-01-27 20:13:58.610000',NULL,'',NULL,NULL,NULL);
INSERT INTO "questions" VALUES(23,'Does the hardness of water matter when making coffee','I live in a hard water area and with English Tea I can definitely taste and see the difference when compared to where I''m from which is a soft water area so does the hardness of the water affect coffee so much? 

 Perhaps the taste is more intense that I don''t notice but I would think it does affect it. 

 Does the process of how you make the coffee more important to the taste, I used to have an espresso machine and if I didn''t clean it using citric acid the seals would become clogged with limescale to the point that the machine stopped working. 

 I''d be interested in a scientific/objective view on this as I now use bottled water in my kettle.','<p>I live in a hard water area and with English Tea I can definitely taste and see the difference when compared to where I''m from which is a soft water area so does the hardness of the water affect coffee so much?</p>

<p>Perhaps the taste is more intense that I don''t notice but I would think it does affect it.</p>

<p>Does the process of how you make the coffee more important to the taste, I used to have an espresso machine and if I didn''t clean it using citric acid the seals would become clogged with limescale to the point that the machine stopped working.</p>

<p>I''d be interested in a scientific/objective view on this as I now use bottled water in my kettle.</p>
','user 8',NULL,NULL,'a47c67e32a1fdeeaef69a2e6f5bcb4f3a26b5af86dac495e20e96480e1d878ce','imported',NULL,'2015-01-27 20:20:05.700000',NULL,'',NULL,NULL,NULL);
INSERT INTO "questions" VALUES(24,'What''s the theory behind using thin spouted kettles when making drip/pour over coffee','I own a drip coffee pot:
 

 and one of the other things you can buy is a  thin spouted kettle  which is used for pouring water one to the grounds. 

 What is the theory behind this? 

 Does the rate of water delivery/flow just agitate the suspension of coffee/water in a way that is better? 

 I also see such items being used in coffee shops too so would really like an expert''s summation on this.','<p>I own a drip coffee pot:
</p>

<p>and one of the other things you can buy is a <a href="http://www.hario.jp/product/list.php?middelclass=3" rel="nofollow ugc noopener">thin spouted kettle</a> which is used for pouring water one to the grounds.</p>

<p>What is the theory behind this?</p>

<p>Does the rate of water delivery/flow just agitate the suspension of coffee/water in a way that is better?</p>

<p>I also see such items being used in coffee shops too so would really like an expert''s summation on this.</p>
','user 8',NULL,NULL,'bae31410fa7eccf0f67631d485d17496f6305ecafb357ff58c70424e26904ec5','imported',NULL,'2015-01-27 20:30:33.657000',NULL,'',NULL,NULL,NULL);
INSERT INTO "questions" VALUES(25,'How important is tamping coffee for an espresso machine','I observe that coffee servers (I refuse to use the term barista) will apply pressure to the coffee grounds using a variety of methods and pressure. This seems to vary wildly and I''d like to know how important is this? Is there some general rule of thumb when it comes to recommended pressure? 

 My thoughts were that the fineness mattered the most for espresso machines and that reasonable enough pressure when tamping is enough but what do expert''s use and believe.','<p>I observe that coffee servers (I refuse to use the term barista) will apply pressure to the coffee grounds using a variety of methods and pressure. This seems to vary wildly and I''d like to know how important is this? Is there some general rule of thumb when it comes to recommended pressure?</p>

<p>My thoughts were that the fineness mattered the most for espresso machines and that reasonable enough pressure when tamping is enough but what do expert''s use and believe.</p>
','user 8',NULL,NULL,'80658b8e1b44a3625049402abb5e63ff4e2d7cb6f8a48e87a2016ae4f4eac168','imported',NULL,'2015-01-27 20:34:58.077000',NULL,'',NULL,NULL,NULL);
INSERT INTO "questions" VALUES(26,'Do you ship the NW-24 to Norway?','Question body 0 for the upgrade fixture.','<p>Question body 0 for the upgrade fixture.</p>','Upgrade asker 0',NULL,NULL,'ff4154ddceef43df90ae81b4ebe67729455b6c33213ee3b4b3a4ee3f691c7701','open',NULL,'2026-12-03 08:30:38.552006',NULL,'',NULL,NULL,NULL);
INSERT INTO "questions" VALUES(27,'Is there a PCB rev C datasheet?','Question body 1 for the upgrade fixture.','<p>Question body 1 for the upgrade fixture.</p>','Upgrade asker 1',NULL,NULL,'61e04ba1288db25abe26eb31f21d3bd1b9598b5643614646ff8c5a33faa62b1a','open',NULL,'2026-12-03 08:30:39.248025',NULL,'',NULL,NULL,NULL);
INSERT INTO "questions" VALUES(28,'Can Wi-Fi 7 roam across two warehouses?','Question body 2 for the upgrade fixture.','<p>Question body 2 for the upgrade fixture.</p>','Upgrade asker 2',NULL,NULL,'7b820edb0495a4d0b98cadaf2ae27522dd13fc05af324f13e293451449040ab1','open',NULL,'2026-12-03 08:30:39.535676',NULL,'',NULL,NULL,NULL);
CREATE TABLE search_gaps (
	"query" VARCHAR(200) NOT NULL, 
	misses INTEGER NOT NULL, 
	first_at DATETIME NOT NULL, 
	last_at DATETIME NOT NULL, 
	PRIMARY KEY ("query")
);
CREATE TABLE search_outbox (
	id INTEGER NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	ref VARCHAR(255) NOT NULL, 
	created_at DATETIME NOT NULL, 
	done_at DATETIME, 
	PRIMARY KEY (id)
);
INSERT INTO "search_outbox" VALUES(1,'person','1','2026-12-03 08:28:33.026425','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(2,'person','2','2026-12-03 08:28:34.322328','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(3,'person','3','2026-12-03 08:28:35.667937','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(4,'person','4','2026-12-03 08:28:36.492148','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(5,'person','5','2026-12-03 08:28:37.194603','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(6,'person','1','2026-12-03 08:28:37.251179','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(7,'person','4','2026-12-03 08:28:37.251179','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(8,'person','2','2026-12-03 08:28:37.286835','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(9,'person','3','2026-12-03 08:28:37.329529','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(10,'person','3','2026-12-03 08:28:37.331557','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(11,'person','4','2026-12-03 08:28:37.365665','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(12,'person','5','2026-12-03 08:28:37.365665','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(13,'person','4','2026-12-03 08:28:37.367424','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(14,'person','5','2026-12-03 08:28:37.367424','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(15,'thread','1','2026-12-03 08:28:37.717775','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(16,'thread','2','2026-12-03 08:28:37.717775','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(17,'thread','3','2026-12-03 08:28:37.717775','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(18,'thread','4','2026-12-03 08:28:37.717775','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(19,'thread','5','2026-12-03 08:28:37.717775','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(20,'thread','6','2026-12-03 08:28:37.717775','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(21,'thread','7','2026-12-03 08:28:37.717775','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(22,'thread','8','2026-12-03 08:28:37.717775','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(23,'thread','9','2026-12-03 08:28:37.717775','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(24,'thread','10','2026-12-03 08:28:37.717775','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(25,'thread','11','2026-12-03 08:28:37.717775','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(26,'thread','12','2026-12-03 08:28:37.717775','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(27,'thread','13','2026-12-03 08:28:37.717775','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(28,'thread','14','2026-12-03 08:28:37.717775','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(29,'thread','15','2026-12-03 08:28:37.717775','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(30,'thread','16','2026-12-03 08:28:37.717775','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(31,'thread','17','2026-12-03 08:28:37.717775','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(32,'thread','18','2026-12-03 08:28:37.717775','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(33,'thread','19','2026-12-03 08:28:37.717775','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(34,'thread','20','2026-12-03 08:28:37.717775','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(35,'thread','16','2026-12-03 08:28:37.789098','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(36,'thread','14','2026-12-03 08:28:37.791558','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(37,'thread','1','2026-12-03 08:28:37.889061','2026-12-03 08:28:40.116960');
INSERT INTO "search_outbox" VALUES(38,'thread','21','2026-12-03 08:30:23.144137','2026-12-03 08:30:24.121201');
INSERT INTO "search_outbox" VALUES(39,'thread','21','2026-12-03 08:30:23.198259','2026-12-03 08:30:24.121201');
INSERT INTO "search_outbox" VALUES(40,'thread','22','2026-12-03 08:30:23.198259','2026-12-03 08:30:24.121201');
INSERT INTO "search_outbox" VALUES(41,'thread','22','2026-12-03 08:30:23.224864','2026-12-03 08:30:24.121201');
INSERT INTO "search_outbox" VALUES(42,'thread','23','2026-12-03 08:30:23.224864','2026-12-03 08:30:24.121201');
INSERT INTO "search_outbox" VALUES(43,'thread','23','2026-12-03 08:30:23.227678','2026-12-03 08:30:24.121201');
INSERT INTO "search_outbox" VALUES(44,'thread','24','2026-12-03 08:30:23.227678','2026-12-03 08:30:24.121201');
INSERT INTO "search_outbox" VALUES(45,'thread','24','2026-12-03 08:30:23.250064','2026-12-03 08:30:24.121201');
INSERT INTO "search_outbox" VALUES(46,'thread','25','2026-12-03 08:30:23.250064','2026-12-03 08:30:24.121201');
INSERT INTO "search_outbox" VALUES(47,'thread','25','2026-12-03 08:30:23.251636','2026-12-03 08:30:24.121201');
INSERT INTO "search_outbox" VALUES(48,'thread','26','2026-12-03 08:30:38.560476','2026-12-03 08:30:39.122231');
INSERT INTO "search_outbox" VALUES(49,'thread','27','2026-12-03 08:30:39.248580','2026-12-03 08:30:39.465450');
INSERT INTO "search_outbox" VALUES(50,'thread','28','2026-12-03 08:30:39.536166','2026-12-03 08:30:41.861486');
INSERT INTO "search_outbox" VALUES(51,'thread','13','2026-12-03 08:30:42.930648',NULL);
INSERT INTO "search_outbox" VALUES(52,'thread','26','2026-12-03 08:30:43.391613',NULL);
CREATE TABLE search_synonyms (
	id INTEGER NOT NULL, 
	term VARCHAR(120) NOT NULL, 
	expansion VARCHAR(200) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (term, expansion)
);
INSERT INTO "search_synonyms" VALUES(1,'pcb','printed circuit board');
CREATE TABLE settings (
	"key" VARCHAR(64) NOT NULL, 
	value TEXT NOT NULL, 
	PRIMARY KEY ("key")
);
INSERT INTO "settings" VALUES('demo_loaded','2026-12-03T08:28:31.778061');
CREATE TABLE "topics" (
	id INTEGER NOT NULL, 
	slug VARCHAR(80) NOT NULL, 
	name VARCHAR(120) NOT NULL, 
	description TEXT NOT NULL, 
	response_target_hours INTEGER DEFAULT '4' NOT NULL, 
	working_hours VARCHAR(120) DEFAULT '' NOT NULL, 
	quiet_days INTEGER DEFAULT '14' NOT NULL, 
	owner_id INTEGER, 
	PRIMARY KEY (id), 
	CONSTRAINT fk_topics_owner FOREIGN KEY(owner_id) REFERENCES persons (id) ON DELETE SET NULL, 
	UNIQUE (slug)
);
INSERT INTO "topics" VALUES(1,'networking','Networking','Switching, Wi-Fi, SD-WAN and campus design.',4,'',14,1);
INSERT INTO "topics" VALUES(2,'security','Security','Zero trust, firewalls, compliance and audits.',8,'',14,2);
INSERT INTO "topics" VALUES(3,'hardware','Hardware','Our appliances, PCBs, lead times and RMAs.',8,'Mon-Thu 08:00-16:00',14,3);
INSERT INTO "topics" VALUES(4,'support','Support & contracts','SLAs, onboarding, pricing and renewals.',2,'Mon-Fri 08:00-18:00',14,5);
INSERT INTO "topics" VALUES(5,'logistics','Logistics','',8,'',14,NULL);
CREATE TABLE webhook_deliveries (
	id INTEGER NOT NULL, 
	endpoint_id INTEGER NOT NULL, 
	event VARCHAR(40) NOT NULL, 
	payload TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	attempts INTEGER NOT NULL, 
	next_attempt_at DATETIME NOT NULL, 
	delivered_at DATETIME, 
	gave_up_at DATETIME, 
	last_status VARCHAR(200) NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(endpoint_id) REFERENCES webhook_endpoints (id) ON DELETE CASCADE
);
INSERT INTO "webhook_deliveries" VALUES(1,1,'question.asked','{"question": {"id": 26, "title": "Do you ship the NW-24 to Norway?", "url": "http://127.0.0.1:8000/q/26/do-you-ship-the-nw-24-to-norway", "topic": null, "asked_at": "2026-12-03T08:30:38.552006Z"}}','2026-12-03 08:30:38.804197',0,'2026-12-03 08:30:38.804197',NULL,NULL,'');
INSERT INTO "webhook_deliveries" VALUES(2,1,'question.asked','{"question": {"id": 27, "title": "Is there a PCB rev C datasheet?", "url": "http://127.0.0.1:8000/q/27/is-there-a-pcb-rev-c-datasheet", "topic": null, "asked_at": "2026-12-03T08:30:39.248025Z"}}','2026-12-03 08:30:39.410924',0,'2026-12-03 08:30:39.410924',NULL,NULL,'');
INSERT INTO "webhook_deliveries" VALUES(3,1,'question.asked','{"question": {"id": 28, "title": "Can Wi-Fi 7 roam across two warehouses?", "url": "http://127.0.0.1:8000/q/28/can-wi-fi-7-roam-across-two-warehouses", "topic": null, "asked_at": "2026-12-03T08:30:39.535676Z"}}','2026-12-03 08:30:39.715342',0,'2026-12-03 08:30:39.715342',NULL,NULL,'');
INSERT INTO "webhook_deliveries" VALUES(4,1,'answer.posted','{"answer": {"id": 13, "question_id": 13, "url": "http://127.0.0.1:8000/q/13/is-there-an-on-prem-option-for-the-management-console#answer-13", "author": {"name": "Dana Ortiz", "job_title": "Network Engineer"}}}','2026-12-03 08:30:43.138088',0,'2026-12-03 08:30:43.138088',NULL,NULL,'');
CREATE TABLE webhook_endpoints (
	id INTEGER NOT NULL, 
	url VARCHAR(2000) NOT NULL, 
	secret VARCHAR(64) NOT NULL, 
	events VARCHAR(200) NOT NULL, 
	active BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	last_status VARCHAR(200) NOT NULL, 
	last_attempt_at DATETIME, 
	PRIMARY KEY (id)
);
INSERT INTO "webhook_endpoints" VALUES(1,'https://crm.example.com/hook','9f1002b9fa130845440898404ecf9c31843036de3878d2826c80da3bd2dff1cc','question.asked,answer.posted',1,'2026-12-03 08:29:23.657357','',NULL);
CREATE INDEX ix_answers_question_id ON answers (question_id);
CREATE INDEX ix_follow_ups_question_id ON follow_ups (question_id);
CREATE INDEX ix_answer_revisions_answer_id ON answer_revisions (answer_id);
CREATE INDEX ix_feed_entries_feed_id ON feed_entries (feed_id);
CREATE INDEX ix_feed_entries_link ON feed_entries (link);
CREATE INDEX ix_feed_entries_published_at ON feed_entries (published_at);
CREATE INDEX ix_feed_entries_state ON feed_entries (state);
CREATE INDEX ix_curated_picks_created_at ON curated_picks (created_at);
CREATE INDEX ix_api_tokens_person_id ON api_tokens (person_id);
CREATE INDEX ix_webhook_deliveries_endpoint_id ON webhook_deliveries (endpoint_id);
CREATE INDEX ix_webhook_deliveries_next_attempt_at ON webhook_deliveries (next_attempt_at);
CREATE INDEX ix_question_revisions_question_id ON question_revisions (question_id);
CREATE INDEX ix_moderation_actions_created_at ON moderation_actions (created_at);
CREATE INDEX ix_search_outbox_done_at ON search_outbox (done_at);
CREATE INDEX ix_search_synonyms_term ON search_synonyms (term);
CREATE INDEX ix_imported_answers_question_id ON imported_answers (question_id);
CREATE INDEX ix_questions_status ON questions (status);
CREATE INDEX ix_questions_created_at ON questions (created_at);
CREATE INDEX ix_questions_assignee_id ON questions (assignee_id);
CREATE INDEX ix_notification_emails_created_at ON notification_emails (created_at);
CREATE INDEX ix_contact_requests_question_id ON contact_requests (question_id);
CREATE INDEX ix_contact_requests_person_id ON contact_requests (person_id);
CREATE INDEX ix_contact_requests_created_at ON contact_requests (created_at);
CREATE INDEX ix_outreach_created_at ON outreach (created_at);
COMMIT;
