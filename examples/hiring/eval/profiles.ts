// Hand-written material for the hiring development set: per job, the lines a genuine candidate writes (strong),
// a candidate who covers part of it (partial), and an adjacent role that shares the vocabulary but not the job
// (near miss). build.ts composes resumes from them in varied formats and writes the graded qrels.
export interface Profile {
  titles: string[];
  strong: string[];
  strongEdu: string[];
  strongSkills: string;
  strongCerts?: string;
  partial: string[];
  partialEdu: string[];
  partialSkills: string;
  /** Years the strong candidates have at least; partial ones get fewer. */
  years: number;
  near: { title: string; lines: string[]; edu: string; skills: string };
  /** Words a keyword stuffer pastes (the job's own words). */
  stuffing: string;
}

export const PROFILES: Record<string, Profile> = {
  backend: {
    titles: ['Senior Software Engineer', 'Backend Engineer', 'Software Developer', 'Platform Engineer'],
    strong: [
      'Designed and ran the order service in TypeScript on Node.js, handling 2,000 requests per second.',
      'Owned the Postgres schema for billing; rewrote slow queries and cut p95 latency from 900 ms to 120 ms.',
      'Packaged every service with Docker and deployed them to AWS (ECS, RDS, S3) with Terraform.',
      'Built REST APIs with OpenAPI contracts and kept them covered by Jest and integration tests.',
      'Introduced a Kafka event bus between checkout and fulfilment.',
      'Moved the team from hand-run deploys to GitHub Actions pipelines.',
      'Ran Redis as a cache and rate limiter in front of the pricing API.',
      'Mentored two junior engineers and led code reviews for the payments team.',
      'Migrated a Node.js monolith to services on Kubernetes (EKS) without downtime.',
      'Wrote TypeScript libraries for idempotent webhook handling used by six teams.',
    ],
    strongEdu: ['BSc Computer Science, University of Manchester', 'B.S. Software Engineering, Ohio State University'],
    strongSkills: 'Skills: TypeScript, Node.js, PostgreSQL, Docker, AWS, Kafka, Redis',
    partial: [
      'Built internal tools in Python and Django on top of PostgreSQL.',
      'Containerised the reporting jobs with Docker.',
      'Wrote REST endpoints for the mobile app and their unit tests.',
      'Maintained the MySQL database and its nightly backups.',
    ],
    partialEdu: ['BSc Mathematics, University of Bristol'],
    partialSkills: 'Skills: Python, Django, PostgreSQL, Docker',
    years: 6,
    near: {
      title: 'QA Analyst',
      lines: [
        'Tested the backend payments platform releases by hand before each deploy.',
        'Wrote test plans for engineers working on TypeScript and PostgreSQL services.',
        'Filed and triaged bugs in Jira for the backend team.',
      ],
      edu: 'BA English Literature',
      skills: 'Skills: manual testing, Jira, test plans',
    },
    stuffing:
      'TypeScript, Node.js, PostgreSQL, Postgres, Docker, AWS, REST APIs, Kubernetes, Kafka, RabbitMQ, Redis, backend, payments, schema design, query tuning, automated testing, senior, engineer, software development, microservices',
  },
  frontend: {
    titles: ['Frontend Engineer', 'Front-End Developer', 'UI Engineer', 'Web Developer'],
    strong: [
      'Built the customer dashboard in React and TypeScript, used by 40,000 people a day.',
      'Rebuilt our component library with accessible, responsive HTML and CSS (WCAG 2.1 AA).',
      'Set up Playwright end-to-end tests and Jest unit tests that run on every pull request.',
      'Moved the marketing site to Next.js and cut the largest contentful paint by half.',
      'Worked from Figma designs with the design team and fed back on interaction details.',
      'Wrote GraphQL queries and Apollo caching for the reporting pages.',
      'Led the migration from JavaScript to TypeScript across 300 React components.',
    ],
    strongEdu: ['BSc Computer Science, University of Sheffield', 'Self-taught; freeCodeCamp certificate'],
    strongSkills: 'Skills: React, TypeScript, HTML/CSS, Jest, Playwright, Figma',
    partial: [
      'Built pages for the company website with HTML, CSS and jQuery.',
      'Added React to an older Angular app for the new checkout.',
      'Fixed layout bugs on mobile browsers.',
    ],
    partialEdu: ['Diploma in Web Design'],
    partialSkills: 'Skills: HTML, CSS, JavaScript, React',
    years: 4,
    near: {
      title: 'Graphic Designer',
      lines: [
        'Designed banners and landing page mock-ups for the frontend team.',
        'Produced print and web graphics in Photoshop and Illustrator.',
        'Handed over layouts to web developers.',
      ],
      edu: 'BA Graphic Design',
      skills: 'Skills: Photoshop, Illustrator, InDesign',
    },
    stuffing:
      'React, TypeScript, JavaScript, HTML/CSS, HTML, CSS, accessibility, responsive, Jest, Playwright, Cypress, Figma, GraphQL, Next.js, frontend, dashboard, web applications, UI',
  },
  datasci: {
    titles: ['Data Scientist', 'Senior Data Scientist', 'Machine Learning Scientist', 'Applied Scientist'],
    strong: [
      'Built churn prediction models in Python (pandas, scikit-learn, XGBoost) that cut churn by 8%.',
      'Designed and analysed A/B tests for pricing, with power calculations and regression analysis.',
      'Wrote the SQL and dbt models behind the weekly revenue forecast.',
      'Trained a PyTorch text classifier to route support tickets, shipped as an API.',
      'Ran feature pipelines on Spark in Databricks over two billion events.',
      'Presented results to executives in Tableau dashboards.',
      'Validated models with cross-validation and monitored drift in production.',
    ],
    strongEdu: ['MSc Statistics, University of Edinburgh', 'PhD Physics, ETH Zurich', "Master's in Computer Science, Georgia Tech"],
    strongSkills: 'Skills: Python, pandas, NumPy, scikit-learn, SQL, PyTorch, Spark',
    partial: [
      'Built Excel and SQL reports for the sales team every week.',
      'Analysed survey data in Python with pandas.',
      'Took an online machine learning course and built a house-price model.',
    ],
    partialEdu: ['BSc Economics, University of Warwick'],
    partialSkills: 'Skills: SQL, Excel, Python, Tableau',
    years: 4,
    near: {
      title: 'Data Entry Clerk',
      lines: [
        'Entered customer data into the CRM for the data science team.',
        'Checked spreadsheets for duplicates before the monthly statistics report.',
        'Kept the filing system up to date.',
      ],
      edu: 'High school diploma',
      skills: 'Skills: typing, data entry',
    },
    stuffing:
      "Python, pandas, NumPy, machine learning, predictive models, SQL, statistics, A/B testing, deep learning, PyTorch, TensorFlow, Spark, Databricks, Tableau, Master's degree, data scientist, data analysis",
  },
  nurse: {
    titles: ['Registered Nurse', 'ICU Staff Nurse', 'Critical Care Nurse', 'RN, Intensive Care'],
    strong: [
      'Cared for up to two ventilated patients per shift in a 24-bed ICU.',
      'Performed patient assessments, titrated drips and managed IV therapy and central lines.',
      'Administered medications under the five rights and documented everything in Epic.',
      'Responded to rapid-response and code calls as an ACLS-certified nurse.',
      'Precepted new graduate nurses through their critical care orientation.',
      'Educated families on care plans and discharge instructions, often in Spanish.',
      'Followed infection control bundles that brought central-line infections to zero for a year.',
    ],
    strongEdu: ['Bachelor of Science in Nursing (BSN), University of Texas', 'BSN, Rutgers University'],
    strongSkills: 'Skills: critical care, patient assessment, IV therapy, Epic',
    strongCerts: 'Certifications: RN license (active), BLS, ACLS',
    partial: [
      'Worked as a nurse on a medical-surgical floor caring for five to six patients.',
      'Gave medications and recorded vital signs in Cerner.',
      'Helped with patient admissions and discharges.',
    ],
    partialEdu: ['Associate Degree in Nursing, Austin Community College'],
    partialSkills: 'Skills: patient care, vital signs, medication administration',
    years: 4,
    near: {
      title: 'Certified Nursing Assistant',
      lines: [
        'Helped ICU nurses turn and reposition patients.',
        'Took vital signs and reported changes to the registered nurse.',
        'Stocked supply rooms in the intensive care unit.',
      ],
      edu: 'CNA certificate, Red Cross',
      skills: 'Skills: bathing, feeding, vital signs',
    },
    stuffing:
      'RN license, BLS, ACLS, registered nurse, intensive care, ICU, critical care, patient assessment, medication administration, IV therapy, Epic, electronic health records, BSN, Spanish, nursing',
  },
  electrician: {
    titles: ['Journeyman Electrician', 'Commercial Electrician', 'Electrician', 'Lead Electrician'],
    strong: [
      'Installed conduit, wiring and switchboards for new office and retail buildings.',
      'Read blueprints and electrical schematics to lay out power and lighting circuits.',
      'Troubleshot faults in lighting controls, motor circuits and panels with a multimeter.',
      'Worked to OSHA standards on busy construction sites and led toolbox talks.',
      'Wired rooftop HVAC units and their control circuits.',
      'Ran a two-person crew on tenant fit-outs up to 20,000 square feet.',
    ],
    strongEdu: ['Electrical apprenticeship, IBEW Local 46', 'Diploma in Electrical Technology'],
    strongSkills: 'Skills: commercial wiring, conduit bending, blueprints, troubleshooting',
    strongCerts: 'Licenses: Journeyman license (Washington), OSHA 30, aerial lift certified',
    partial: [
      'Apprentice on residential electrical installations: outlets, lighting, panels.',
      'Pulled wire and bent conduit under a journeyman.',
      'Kept the van stocked and the job site clean.',
    ],
    partialEdu: ['Pre-apprenticeship course, community college'],
    partialSkills: 'Skills: residential wiring, hand and power tools',
    years: 6,
    near: {
      title: 'Electrical Sales Associate',
      lines: [
        'Sold electrical supplies to commercial electricians at the trade counter.',
        'Advised customers on breakers, cable and lighting products.',
        'Managed stock of wiring and conduit.',
      ],
      edu: 'High school diploma',
      skills: 'Skills: retail, customer service',
    },
    stuffing:
      'Journeyman license, commercial electrical installation, electrician, blueprint reading, blueprints, OSHA 30, troubleshooting, lighting, power, control circuits, HVAC, forklift, aerial lift',
  },
  sales: {
    titles: ['Account Executive', 'Senior Account Executive', 'Sales Executive', 'Business Development Manager'],
    strong: [
      'Closed $1.4M in new annual recurring revenue selling SaaS to mid-market IT teams.',
      'Ran full-cycle B2B sales from discovery and demos to negotiation and signature.',
      'Prospected into finance departments with outbound sequences and cold calling, building my own pipeline.',
      'Kept every opportunity current in Salesforce and forecast within 5% each quarter.',
      'Negotiated multi-year contracts with procurement and legal teams.',
      'Finished 128% of quota in 2023 and was top performer in the region.',
    ],
    strongEdu: ['BA Business Administration, University of Leeds', 'BBA Marketing, University of Florida'],
    strongSkills: 'Skills: Salesforce, HubSpot CRM, negotiation, prospecting',
    partial: [
      'Sales development representative: booked meetings for account executives by cold calling.',
      'Logged calls and emails in HubSpot.',
      'Took inbound leads and qualified them.',
    ],
    partialEdu: ['BA Communications'],
    partialSkills: 'Skills: cold calling, HubSpot, email outreach',
    years: 4,
    near: {
      title: 'Retail Sales Associate',
      lines: [
        'Sold phones and plans to walk-in customers and hit weekly sales targets.',
        'Handled the cash register and returns.',
        'Kept displays tidy and stock replenished.',
      ],
      edu: 'High school diploma',
      skills: 'Skills: retail, cash handling, customer service',
    },
    stuffing:
      'B2B sales, SaaS, account executive, closing deals, Salesforce, CRM, prospecting, outbound, lead generation, negotiation, procurement, legal, IT, finance, German, quota, pipeline',
  },
  accountant: {
    titles: ['Staff Accountant', 'Accountant', 'Senior Accountant', 'General Ledger Accountant'],
    strong: [
      'Ran the month-end close for three entities, finishing in five working days.',
      'Prepared balance sheet account reconciliations and journal entries in the general ledger.',
      'Kept the books under US GAAP and supported the external audit every year.',
      'Built Excel models with pivot tables and VLOOKUP to track accruals and prepaid expenses.',
      'Posted entries and ran reports in NetSuite and QuickBooks.',
      'Processed bi-weekly payroll for 120 employees.',
      'Passed two of the four CPA exam sections.',
    ],
    strongEdu: ['BS Accounting, University of Illinois', "Bachelor's degree in Finance, Baruch College"],
    strongSkills: 'Skills: GAAP, reconciliations, NetSuite, QuickBooks, Excel',
    partial: [
      'Accounts payable clerk: entered and matched vendor invoices.',
      'Helped with bank reconciliations at month end.',
      'Answered vendor questions about payments.',
    ],
    partialEdu: ['Associate degree in Business'],
    partialSkills: 'Skills: accounts payable, data entry, Excel',
    years: 3,
    near: {
      title: 'Bank Teller',
      lines: [
        'Handled cash deposits and withdrawals and balanced my drawer every day.',
        'Explained accounts and loans to customers.',
        'Counted and reconciled the vault with the head teller.',
      ],
      edu: 'High school diploma',
      skills: 'Skills: cash handling, customer service',
    },
    stuffing:
      "Bachelor's degree, accounting, finance, month-end close, account reconciliations, general ledger, US GAAP, GAAP, Excel, pivot tables, VLOOKUP, QuickBooks, NetSuite, SAP, CPA, payroll, staff accountant",
  },
  ux: {
    titles: ['Product Designer', 'UX Designer', 'Senior UX Designer', 'Interaction Designer'],
    strong: [
      'Led user research for the onboarding flow: 25 interviews and two rounds of usability testing.',
      'Designed and prototyped the mobile app in Figma, from wireframes to high-fidelity flows.',
      'Built and maintained our design system of 80 components with the engineering team.',
      'Wrote clear specs and walked engineers and product managers through every decision.',
      'Raised the checkout conversion by 12% after testing three prototypes with customers.',
      'Audited the product against WCAG accessibility standards and fixed contrast and focus issues.',
    ],
    strongEdu: ['BA Interaction Design, Parsons', 'MSc Human-Computer Interaction, UCL'],
    strongSkills: 'Skills: Figma, prototyping, user research, design systems, HTML/CSS',
    partial: [
      'Designed screens in Sketch for a small agency.',
      'Made wireframes for client websites.',
      'Created logos and brand guidelines.',
    ],
    partialEdu: ['BA Graphic Design'],
    partialSkills: 'Skills: Sketch, Photoshop, wireframing',
    years: 4,
    near: {
      title: 'Customer Support Agent',
      lines: [
        'Answered customer questions about the product design and app screens.',
        'Passed feedback on usability problems to the product team.',
        'Wrote help-centre articles.',
      ],
      edu: 'BA Psychology',
      skills: 'Skills: Zendesk, customer service',
    },
    stuffing:
      'UX design, UX, Figma, prototyping, design systems, user research, usability testing, communication, engineers, product managers, HTML/CSS, accessibility, product designer, web, mobile',
  },
  warehouse: {
    titles: ['Warehouse Shift Lead', 'Warehouse Supervisor', 'Team Leader, Distribution Centre', 'Warehouse Associate'],
    strong: [
      'Led a shift of 14 pickers and packers in a 200,000 sq ft distribution centre.',
      'Operated counterbalance and reach forklifts daily; certified since 2017.',
      'Ran cycle counts and stock control in SAP, keeping inventory accuracy above 99.5%.',
      'Carried out risk assessments, PPE checks and incident reports for my shift.',
      'Trained new starters on safe picking, packing and loading.',
      'Cut mis-picks by a third by re-slotting fast movers near dispatch.',
    ],
    strongEdu: ['High school diploma', 'NVQ Level 3 in Warehousing and Storage'],
    strongSkills: 'Skills: forklift, inventory management, WMS, team leadership',
    strongCerts: 'Certifications: Forklift certification (counterbalance, reach), first aid',
    partial: [
      'Picked and packed online orders on a night shift.',
      'Unloaded deliveries and checked them against the paperwork.',
      'Kept my area clean and safe.',
    ],
    partialEdu: ['High school diploma'],
    partialSkills: 'Skills: order picking, packing',
    years: 4,
    near: {
      title: 'Delivery Driver',
      lines: [
        'Delivered parcels from the warehouse to 120 addresses a day.',
        'Loaded my van in the warehouse each morning.',
        'Collected signatures and handled returns.',
      ],
      edu: 'High school diploma',
      skills: "Skills: driving, customer service",
    },
    stuffing:
      'warehouse operations, forklift certification, forklift, inventory management, stock control, team leadership, health and safety, risk assessments, PPE, incident reporting, WMS, SAP, CDL, shift lead',
  },
  marketing: {
    titles: ['Digital Marketing Manager', 'Growth Marketing Manager', 'Marketing Manager', 'Performance Marketing Lead'],
    strong: [
      'Planned and optimised Google Ads campaigns with a $60k monthly budget at a 4.2x return on ad spend.',
      'Grew organic traffic 3x in 18 months through SEO: technical fixes, keyword research and content strategy.',
      'Ran the content marketing calendar: blog posts, guides and webinars.',
      'Built HubSpot marketing automation and email nurture flows for 50,000 contacts.',
      'Reported performance in Google Analytics and Looker dashboards and ran A/B tests on landing pages.',
      'Managed paid social on LinkedIn and Facebook ads.',
      'Led a team of three marketers and two agencies.',
    ],
    strongEdu: ['BA Marketing, University of Manchester', 'BSc Business, University of Amsterdam'],
    strongSkills: 'Skills: SEO, Google Ads, HubSpot, Google Analytics, content marketing',
    partial: [
      'Posted on Instagram and TikTok for a local restaurant group.',
      'Wrote the monthly email newsletter in Mailchimp.',
      'Helped organise events.',
    ],
    partialEdu: ['BA Media Studies'],
    partialSkills: 'Skills: social media, Mailchimp, Canva',
    years: 6,
    near: {
      title: 'Event Coordinator',
      lines: [
        'Coordinated trade show stands for the marketing department.',
        'Booked venues and caterers and managed event budgets.',
        'Sent invitations and tracked RSVPs.',
      ],
      edu: 'BA Hospitality Management',
      skills: 'Skills: event planning, budgeting',
    },
    stuffing:
      'digital marketing, SEO, content marketing, paid search, Google Ads, campaigns, analytics, Google Analytics, dashboards, A/B testing, email marketing, marketing automation, HubSpot, social media advertising, team leadership',
  },
};

/** Short real experience for stuffers and injectors: an unrelated job done honestly. */
export const UNRELATED: { title: string; lines: string[] }[] = [
  { title: 'Barista', lines: ['Made espresso drinks for 300 customers a day.', 'Opened the café and cashed up at close.'] },
  { title: 'Retail Assistant', lines: ['Served customers on the shop floor and at the till.', 'Unpacked deliveries and restocked shelves.'] },
  { title: 'Tutor', lines: ['Tutored secondary school pupils in maths.', 'Prepared worksheets and tracked progress.'] },
  { title: 'Call Centre Agent', lines: ['Answered 80 calls a day about billing questions.', 'Logged each call in the ticketing system.'] },
];

export const FIRST = ['Aisha', 'Ben', 'Carmen', 'Dmitri', 'Elif', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jamal', 'Katarzyna', 'Liam', 'Mei', 'Nkechi', 'Omar', 'Priya', 'Quentin', 'Rosa', 'Sven', 'Tomás', 'Uma', 'Viktor', 'Wen', 'Yusuf', 'Zara'];
export const LAST = ['Okafor', 'Schmidt', 'Nguyen', 'García', 'Kowalski', 'Haddad', 'Smith', 'Tanaka', 'Ferreira', 'Johnson', 'Novak', 'Murphy', 'Chen', 'Adeyemi', 'Larsen', 'Rossi', 'Patel', 'Dubois', 'Ivanova', 'Brown'];
export const STREETS = ['12 Oak Street', '221 Maple Avenue', '7 Church Lane', '48 Harbour Road', '1503 Sunset Boulevard', '9 Mill Close'];
export const CITIES = ['Leeds LS1 4AP', 'Austin, TX 78701', 'Dublin', 'Manchester M1 2AB', 'Seattle, WA 98101', 'Toronto'];
