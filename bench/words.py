"""Word lists for the synthetic profiles: UK public-sector roles, bodies, places and expertise.

Every list is in rough order of how common its entries should be: the generator draws from each
with Zipf-like weights (the first entry most often, the last rarely), so a few terms appear in a
large share of profiles and most appear in only a handful, as in real text.
"""


def _words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _words("""
Sarah James David Emma John Laura Michael Claire Paul Rachel Andrew Helen Mark Jo Richard Kate
Peter Lucy Simon Rebecca Chris Anna Daniel Sophie Tom Louise Matthew Hannah Stephen Amy Ben Nicola
Robert Victoria Gareth Fiona Ian Ruth Neil Priya Alan Catherine Adam Joanne Martin Charlotte Graham
Zoe Stuart Alison Aisha Carl Jennifer Mohammed Natalie Kevin Gemma Sean Samantha Jonathan Emily
Patrick Leanne Ravi Sian Owen Bethan Rhys Carys Hamza Fatima Ahmed Amina Deepak Anjali Kwame Ama
Chidi Ngozi Tariq Nadia Marek Agnieszka Tomasz Kasia Siobhan Niamh Ciaran Aoife Duncan Morag Fraser
Iona Callum Eilidh Hywel Ffion Idris Seren Yusuf Leila Arjun Meera Vikram Sunita Olu Funmi Kofi Efua
Declan Roisin Eamon Grainne Bartholomew Perpetua Aurelia Ignatius Wilhelmina Cosmo
""")

SURNAMES = _words("""
Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Robinson Wright Thompson Evans Walker
White Roberts Green Hall Thomas Clarke Jackson Wood Harris Edwards Turner Martin Cooper Hill Ward
Hughes Moore Clark King Harrison Lewis Baker Lee Allen Morris Khan Scott Watson Davis Parker James
Bennett Young Phillips Richardson Mitchell Bailey Carter Cook Singh Shaw Bell Collins Morgan Kelly
Begum Miller Cox Marshall Simpson Anderson Ellis Adams Wilkinson Ward Foster Lloyd Campbell Price
Chapman Mason Webb Rogers Hussain Ahmed Gray Murphy Hunt Holmes Palmer Mills Barnes Knight Matthews
Butler Lloyd Owen Russell Stevens Fisher Reid Powell Dixon Kaur Ali Sharma Gill Shah Akhtar Rahman
Okafor Mensah Owusu Adeyemi Nowak Kowalski Murray Graham Stewart Fraser MacDonald Sinclair Gallagher
Doherty Byrne Quinn Pritchard Llewellyn Vaughan Rees Cadwallader Featherstonehaugh Ogunleye
Abernethy Trelawny Penhaligon Winterbottom Ramsbottom Higginbotham Sidebottom Cholmondeley
Fairweather Blenkinsop Quarshie Zielinski Szymanski Vasquez Delacroix Montgomery Ashworth Haworth
Thistlethwaite Oyelaran Nakamura Kristiansen Okonkwo Achterberg Papadopoulos Fitzwilliam Urquhart
""")

#: Job titles, most common first.
ROLES = [
    "Team manager", "Senior planning officer", "Project manager", "Head of service",
    "Policy officer", "Social worker", "Service manager", "Principal planner", "Senior analyst",
    "Programme manager", "Operations manager", "Finance business partner", "HR business partner",
    "Development management officer", "Assistant director", "Communications manager",
    "Procurement lead", "Housing officer", "Commissioning manager", "Data analyst",
    "Practice manager", "Customer services manager", "Strategy lead", "Corporate director",
    "Environmental health officer", "Conservation officer", "Highways engineer",
    "Economic development officer", "Public health consultant", "Digital delivery manager",
    "Clinical lead", "Ward manager", "Estates surveyor", "Legal adviser", "Audit manager",
    "Emergency planning officer", "Licensing officer", "Trading standards officer",
    "Library services manager", "Transport planner", "Building control surveyor",
    "Flood risk engineer", "Waste services manager", "Regeneration manager",
    "Revenues and benefits manager", "Electoral services manager", "Democratic services officer",
    "Information governance lead", "Cyber security lead", "User researcher", "Service designer",
    "Product manager", "Chief executive", "Director of children's services",
    "Independent reviewing officer", "Educational psychologist", "Youth justice officer",
    "Archivist", "Coroner's officer", "Ecologist", "Arboricultural officer", "Heritage adviser",
]

GRADES = [
    "Grade 7", "Senior executive officer", "Higher executive officer", "Principal",
    "Senior manager", "Band 7", "Band 8a", "Grade 6", "Deputy director", "Band 8b",
    "Executive officer", "Chief officer", "Band 6", "Scale 6", "PO3",
]

ORGANISATIONS = [
    "Hertfordshire County Council", "Department for Education", "HM Revenue and Customs",
    "Birmingham City Council", "Leeds City Council", "NHS England", "Kent County Council",
    "Ministry of Housing, Communities and Local Government", "Manchester City Council",
    "Department for Work and Pensions", "Essex County Council", "Bristol City Council",
    "Home Office", "Greater London Authority", "Transport for London",
    "Norfolk County Council", "Suffolk County Council", "Nottinghamshire County Council",
    "Cabinet Office", "Environment Agency", "Office for National Statistics",
    "Sheffield City Council", "Liverpool City Council", "Cambridgeshire County Council",
    "Lancashire County Council", "Surrey County Council", "Devon County Council",
    "Cornwall Council", "Newcastle City Council", "Cardiff Council", "Glasgow City Council",
    "City of Edinburgh Council", "Belfast City Council", "West Suffolk Council",
    "Dacorum Borough Council", "St Albans City and District Council", "Watford Borough Council",
    "Stevenage Borough Council", "East Hertfordshire District Council",
    "North Hertfordshire District Council", "Three Rivers District Council", "Natural England",
    "Historic England", "Valuation Office Agency", "HM Land Registry", "Ofsted", "Ofwat",
    "Companies House", "DVLA", "Met Office", "Leicestershire Partnership NHS Trust",
    "Derbyshire County Council", "Lincolnshire County Council", "Northamptonshire Children's Trust",
    "Greater Manchester Combined Authority", "West Midlands Combined Authority",
    "London Fire Brigade", "Metropolitan Police Service", "Old Oak and Park Royal Development "
    "Corporation", "Mayor's Office for Policing and Crime", "Rutland County Council",
    "Isles of Scilly Council", "Orkney Islands Council", "Ceredigion County Council",
]

LOCATIONS = [
    "London", "Birmingham", "Manchester", "Leeds", "Bristol", "Hertford", "Chelmsford",
    "Maidstone", "Nottingham", "Sheffield", "Liverpool", "Newcastle", "Cardiff", "Glasgow",
    "Edinburgh", "Norwich", "Ipswich", "Cambridge", "Leicester", "Derby", "Exeter", "Truro",
    "Preston", "Guildford", "St Albans", "Watford", "Stevenage", "Bury St Edmunds", "Lincoln",
    "Northampton", "Belfast", "Reading", "Oxford", "York", "Hull", "Plymouth", "Southampton",
    "Portsmouth", "Brighton", "Swindon", "Coventry", "Wolverhampton", "Stoke-on-Trent",
    "Sunderland", "Durham", "Carlisle", "Lancaster", "Bath", "Gloucester", "Worcester",
    "Hereford", "Shrewsbury", "Chester", "Taunton", "Dorchester", "Winchester", "Chichester",
    "Lewes", "Bedford", "Luton", "Peterborough", "Kettering", "Oakham", "Hemel Hempstead",
    "Hitchin", "Letchworth", "Bishop's Stortford", "Haverhill", "Newmarket", "Aberystwyth",
    "Kirkwall", "St Mary's", "Berwick-upon-Tweed", "Penzance", "Barnstaple", "Whitby",
]

SECTOR_PHRASES = [
    "local government", "the civil service", "the NHS", "children's services",
    "adult social care", "planning", "housing", "the voluntary sector", "policing",
    "the fire and rescue service", "further education", "a combined authority",
    "an arm's-length body", "private practice", "a regulator",
]

#: Topics people write about in their profiles. Many are rare on purpose: they are what a
#: mentee looking for something specific types into the search box.
TOPICS = [
    "leadership", "project management", "stakeholder engagement", "change management",
    "strategy", "finance", "budget management", "team building", "people management",
    "service improvement", "partnership working", "policy development", "performance management",
    "communication", "resilience", "career development", "coaching", "decision making",
    "risk management", "governance", "commissioning", "procurement", "data analysis",
    "digital transformation", "customer service", "safeguarding", "equality and inclusion",
    "wellbeing", "negotiation", "influencing", "public speaking", "report writing",
    "working with councillors", "committee reports", "housing delivery", "development management",
    "local plans", "regeneration", "economic development", "community engagement",
    "consultation", "business cases", "programme management", "agile delivery",
    "user research", "service design", "workforce planning", "recruitment", "apprenticeships",
    "mental health", "public health", "adult social care", "children's social care",
    "education", "special educational needs", "youth work", "homelessness", "climate change",
    "net zero", "sustainability", "transport planning", "highways", "flood risk",
    "heritage and conservation", "urban design", "placemaking", "planning enforcement",
    "planning appeals", "infrastructure funding", "section 106 agreements",
    "community infrastructure levy", "neighbourhood planning", "biodiversity net gain",
    "green belt", "viability assessments", "estates management", "asset management",
    "contract management", "internal audit", "information governance", "freedom of information",
    "data protection", "cyber security", "emergency planning", "business continuity",
    "licensing", "trading standards", "environmental health", "waste management", "recycling",
    "libraries", "culture and heritage", "tourism", "leisure services", "parks and open spaces",
    "electoral services", "democratic services", "scrutiny", "legal services",
    "employment law", "health and safety", "industrial relations", "trade union liaison",
    "pay and grading", "pensions", "revenues and benefits", "council tax", "business rates",
    "treasury management", "capital programmes", "medium-term financial planning",
    "grant funding", "bid writing", "social value", "anti-poverty work", "food security",
    "domestic abuse", "modern slavery", "counter-fraud", "youth justice", "looked-after children",
    "fostering", "adoption", "care leavers", "early help", "family hubs", "school admissions",
    "home to school transport", "education health and care plans", "Ofsted inspections",
    "CQC inspections", "integrated care", "hospital discharge", "primary care networks",
    "clinical governance", "quality improvement", "patient safety", "nursing leadership",
    "allied health professions", "dementia care", "learning disabilities", "autism",
    "carers support", "direct payments", "deprivation of liberty", "mental capacity",
    "coroners", "bereavement services", "registration services", "archives", "records management",
    "Welsh language services", "Gaelic language plans", "rural affairs", "farming",
    "coastal erosion", "harbour authorities", "ferries", "minerals planning",
    "waste planning", "gypsy and traveller sites", "houses in multiple occupation",
    "selective licensing", "damp and mould", "tenant engagement", "right to buy",
    "stock condition surveys", "retrofit", "heat networks", "electric vehicle charging",
    "air quality", "noise nuisance", "pest control", "food hygiene", "port health",
    "animal welfare", "dangerous wildlife", "street trading", "markets", "town centres",
    "high street renewal", "levelling up", "devolution deals", "mayoral combined authorities",
    "spending reviews", "parliamentary questions", "ministerial briefings", "select committees",
    "secondary legislation", "impact assessments", "behavioural insights", "evaluation",
    "randomised controlled trials", "systems thinking", "lean", "six sigma", "Prince2",
    "managing successful programmes", "GDS service standard", "accessibility",
    "open data", "geographic information systems", "machine learning", "automation",
    "robotic process automation", "cloud migration", "legacy systems", "identity verification",
    "GOV.UK Notify", "contact centres", "complaints handling", "ombudsman investigations",
    "judicial review", "public inquiries", "compulsory purchase", "land assembly",
    "joint ventures", "local authority trading companies", "shared services", "outsourcing",
    "insourcing", "PFI contracts", "social enterprise", "mutuals", "co-production",
    "lived experience", "restorative practice", "signs of safety", "trauma-informed practice",
    "motivational interviewing", "appreciative inquiry", "action learning sets",
    "GROW model", "CEDAR model", "reflective practice", "imposter syndrome",
    "returning from parental leave", "menopause at work", "neurodiversity", "disability at work",
    "race equality", "LGBT+ inclusion", "social mobility", "first-generation graduates",
    "flexible working", "job sharing", "part-time leadership", "career breaks",
    "moving between sectors", "secondments", "interim management", "portfolio careers",
    "preparing for retirement", "chartered status", "RTPI accreditation", "CIPFA qualification",
    "CIPD qualification", "MBA study", "apprenticeship degrees", "Fast Stream",
    "graduate schemes", "National Graduate Development Programme", "Future Leaders Scheme",
    "Senior Leaders Scheme", "Windsor Fellowship", "Stepping Up", "Crossrail", "HS2",
    "Thames Tideway", "garden towns", "new towns", "freeports", "investment zones",
    "Welsh Government relations", "Scottish Parliament relations", "Northern Ireland Executive",
    "Channel Islands", "Isles of Scilly", "Orkney", "Shetland", "lighthouse authorities",
    "maritime planning", "offshore wind", "nuclear decommissioning", "reservoir safety",
    "peatland restoration", "rewilding", "hedgerow regulations", "tree preservation orders",
    "bat surveys", "great crested newts", "nutrient neutrality", "water neutrality",
    "archaeology", "listed building consent", "scheduled monuments", "blue plaques",
]

PROFESSIONS = [
    "a social worker", "a planner", "an accountant", "a nurse", "a teacher", "a solicitor",
    "an engineer", "a surveyor", "an economist", "a statistician", "a librarian",
    "a police officer", "an architect", "a paramedic", "an environmental health officer",
    "a youth worker", "an occupational therapist", "a data scientist", "a journalist",
    "a firefighter", "an archaeologist", "a probation officer", "an ecologist",
]

#: Words used only in the query set, never in a profile: searches that find nothing.
ABSENT_WORDS = [
    "zebrafish", "astrophysics", "viticulture", "falconry", "submarine", "origami", "yodelling",
    "taxidermy", "bobsleigh", "calligraphy",
]

BACKGROUND_TEMPLATES = [
    "I have worked in {sector} for {years} years, most recently as {role_lc} at {org}.",
    "Before that I led work on {topic} across {place} and the surrounding districts.",
    "My background is in {topic} and {topic}, and I still enjoy both.",
    "I trained as {profession} and moved into {topic} in {year}.",
    "I started out in {sector} in {place} and have since worked for {org}.",
    "For the last few years I have focused on {topic}, with a growing interest in {topic}.",
    "I manage a team of {team} people working on {topic}.",
    "I spent {short} years on secondment to {org}, working on {topic}.",
    "I came to {sector} after a first career as {profession}.",
    "I sit on a regional network for {topic} and chair its working group on {topic}.",
]

OFFER_TEMPLATES = [
    "I can help you think through {topic}, {topic} and {topic}.",
    "I am happy to talk about {topic}, especially {topic}.",
    "Mentees often come to me for advice on {topic} and on {topic}.",
    "If you are new to {topic}, I can share what I wish I had known.",
    "I would like to support someone who is stepping into {topic} for the first time.",
    "We could look at {topic} together, using real examples from your work.",
    "I am a good sounding board for {topic} and for thinking about your next move.",
    "I can offer a different view of {topic} from outside your organisation.",
]

EXPERIENCE_TEMPLATES = [
    "I have mentored {team} people through schemes like this one.",
    "Recent work includes {topic} for {org}.",
    "I led the {topic} review at {org} in {year}.",
    "I am a qualified coach and use the {model} model in sessions.",
    "I have been a mentor since {year} and a mentee myself before that.",
    "I helped set up a {topic} service in {place}.",
    "I was shortlisted for a national award for work on {topic}.",
    "I led Project {codename}, which brought {topic} and {topic} under one team.",
    "I grew up in {village} and still volunteer there on {topic}.",
    "I worked on the {codename} programme with {org}.",
]

COACHING_MODELS = ["GROW", "CEDAR", "OSKAR", "CLEAR", "STEPPPA"]

#: Project code names: real words that each occur in only a few profiles.
CODENAMES = _words("""
Kestrel Heron Osprey Curlew Lapwing Merlin Skylark Nightjar Bittern Avocet Dunlin Godwit
Whimbrel Plover Redshank Greenshank Sanderling Turnstone Fulmar Gannet Shearwater Kittiwake
Guillemot Razorbill Puffin Cormorant Shag Dipper Wagtail Yellowhammer Linnet Twite Siskin
Redpoll Crossbill Bullfinch Hawfinch Brambling Fieldfare Redwing Waxwing Nuthatch Treecreeper
Wren Firecrest Goldcrest Stonechat Whinchat Wheatear Redstart Swift Swallow Martin Cuckoo
Hobby Harrier Buzzard Goshawk Peregrine Ptarmigan Capercaillie Corncrake Quail Partridge
Thames Severn Trent Ouse Tyne Wear Tees Mersey Ribble Lune Eden Derwent Wharfe Aire Calder
Tamar Exe Dart Fal Avon Wye Usk Teifi Towy Conwy Dee Clyde Tay Spey Findhorn Lea Stort Colne
Mimram Beane Rib Ash Chess Gade Ver Bulbourne Nene Welland Witham Great-Ouse Cam Granta Stour
Orwell Deben Alde Waveney Yare Bure Wensum Glaven Medway Rother Arun Adur Itchen Test Kennet
Oak Ash Rowan Hazel Alder Birch Willow Hornbeam Beech Yew Holly Juniper Elder Blackthorn
Hawthorn Sycamore Linden Larch Aspen Poplar Chestnut Walnut Sorrel Bracken Heather Gorse
Pennine Cheviot Malvern Mendip Quantock Chiltern Cotswold Wolds Brecon Cairngorm Snowdon
Helvellyn Skiddaw Scafell Ingleborough Pendle Kinder Dartmoor Exmoor Bodmin Purbeck Wight
Lundy Skokholm Bardsey Iona Staffa Jura Islay Rum Eigg Muck Canna Barra Harris Lewis Unst Yell
""")

#: Small places people say they grew up in: nearly every one a rare term.
VILLAGES = _words("""
Much-Hadham Little-Gaddesden Ashwell Barley Braughing Furneux-Pelham Great-Offley Kimpton
Aldbury Tring Wigginton Markyate Flamstead Redbourn Wheathampstead Ayot Codicote Knebworth
Datchworth Benington Walkern Ardeley Cottered Buntingford Westmill Standon Puckeridge Wareside
Hunsdon Widford Sawbridgeworth Thorley Stansted Elsenham Henham Debden Thaxted Finchingfield
Wethersfield Shalford Steeple-Bumpstead Clare Cavendish Long-Melford Lavenham Kersey Hadleigh
Nayland Dedham Stoke-by-Nayland Boxford Polstead Bildeston Needham-Market Debenham Framlingham
Orford Aldeburgh Walberswick Southwold Wrentham Kessingland Beccles Bungay Harleston Diss
Eye Botesdale Ixworth Pakenham Walsham-le-Willows Stanton Barningham Hopton Thelnetham
Mildenhall Lakenheath Brandon Elveden Thetford Watton Swaffham Castle-Acre Burnham-Market
Wells-next-the-Sea Blakeney Cley Holt Aylsham Reepham Cawston Foulsham Dereham Mattishall
Wymondham Hingham Attleborough Kenninghall Garboldisham Hethersett Brooke Loddon Chedgrave
Ravenstonedale Kirkby-Stephen Appleby Shap Bampton Pooley-Bridge Patterdale Glenridding Hawes
Askrigg Reeth Muker Grassington Kettlewell Malham Settle Clapham Dent Sedbergh Garsdale
Llanfairfechan Llanrwst Betws-y-Coed Beddgelert Porthmadog Criccieth Abersoch Aberdaron
Nefyn Bala Dolgellau Machynlleth Llanidloes Rhayader Builth Hay-on-Wye Crickhowell Talgarth
Tobermory Ullapool Lochinver Durness Tongue Thurso Wick Dornoch Golspie Brora Helmsdale
Portsoy Cullen Findochty Buckie Lossiemouth Burghead Nairn Cromarty Fortrose Rosemarkie
Mousehole Lamorna Porthcurno Sennen Zennor St-Just Marazion Porthleven Mullion Coverack
""")
