"""Data a release's own code writes through its own routes (run by make_fixture.sh):
asks with and without e-mail, a staff answer, a follow-up."""
import re

from hub_api import create_app

app = create_app({"RATELIMIT_ENABLED": False, "FORM_TOKEN_REQUIRED": False, "AUTO_BUILD": False})
client = app.test_client()
tokens = []
ASKS = [("Do you ship the NW-24 to Norway?", "ola@example.no"),
        ("Is there a PCB rev C datasheet?", ""),
        ("Can Wi-Fi 7 roam across two warehouses?", "kim@example.com")]
for i, (title, email) in enumerate(ASKS):
    r = client.post("/ask", data={"display_name": f"Upgrade asker {i}", "title": title,
                                  "body": f"Question body {i} for the upgrade fixture.",
                                  "email": email})
    assert r.status_code == 303, r.status_code
    tokens.append(r.headers["Location"].rsplit("/", 1)[1])
staff = app.test_client()
r = staff.post("/staff/login", data={"email": "dana@northwind.example", "password": "demo"})
assert r.status_code == 303, r.status_code
page = staff.get("/staff/queue?all=1").text
csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
qid = re.findall(r"/staff/q/(\d+)", page)[0]
r = staff.post(f"/staff/q/{qid}/answer", data={"csrf_token": csrf,
                                                "body": "Yes, **we do**: fixture answer."})
assert r.status_code == 303, r.status_code
r = client.post(f"/manage/{tokens[0]}/reply", data={"body": "And to Sweden too?"})
assert r.status_code == 303, r.status_code
