// The curated lexicon the rubric is proposed from and resumes are read with: skills (software, data, design,
// marketing, sales, finance, healthcare, trades, logistics, hospitality, education, legal, people), certifications,
// spoken languages and degree levels, each with the synonyms that count as the same evidence. Hand-written and
// deterministic: a term is matched as a whole phrase, case-insensitively, with an optional plural "s" (see match.ts).
import type { CriterionKind } from './types.ts';

export interface LexiconEntry {
  id: string;
  label: string;
  kind: CriterionKind;
  /** Lower-case phrases that count as evidence; the label (lower-cased) is always one of them. */
  terms: string[];
}

// id|Label|more terms (comma-separated). The label lower-cased is added as a term.
const SKILLS = `
javascript|JavaScript|js,ecmascript,es6
typescript|TypeScript|ts
python|Python|
java|Java|
kotlin|Kotlin|
scala|Scala|
go|Go|golang
rust|Rust|
c|C|
cpp|C++|c plus plus
csharp|C#|c sharp
dotnet|.NET|dotnet,asp.net,.net core
php|PHP|laravel,symfony
ruby|Ruby|ruby on rails,rails
swift|Swift|
objective-c|Objective-C|objc
r-lang|R|rstudio
matlab|MATLAB|
sql|SQL|t-sql,pl/sql
bash|Shell scripting|bash,shell,shell script
react|React|react.js,reactjs
react-native|React Native|
angular|Angular|angularjs
vue|Vue.js|vue,vuejs,nuxt
svelte|Svelte|sveltekit
nextjs|Next.js|nextjs
nodejs|Node.js|node,nodejs,express,express.js,fastify,nestjs
django|Django|
flask|Flask|fastapi
spring|Spring|spring boot
html-css|HTML/CSS|html,css,html5,css3,sass,tailwind
graphql|GraphQL|
rest-api|REST APIs|rest,restful,rest api,openapi
microservices|Microservices|microservice architecture
postgresql|PostgreSQL|postgres,psql
mysql|MySQL|mariadb
mongodb|MongoDB|mongo
redis|Redis|
elasticsearch|Elasticsearch|opensearch,elastic
kafka|Kafka|apache kafka
rabbitmq|RabbitMQ|
aws|AWS|amazon web services,ec2,s3,lambda
azure|Azure|microsoft azure
gcp|Google Cloud|gcp,google cloud platform,bigquery
docker|Docker|containers,containerization
kubernetes|Kubernetes|k8s,helm,openshift
terraform|Terraform|infrastructure as code,iac,pulumi,cloudformation
ansible|Ansible|puppet,chef
linux|Linux|unix,ubuntu,debian,red hat
ci-cd|CI/CD|continuous integration,continuous delivery,jenkins,github actions,gitlab ci,circleci
git|Git|github,gitlab,version control
testing|Automated testing|unit testing,test automation,jest,vitest,pytest,junit,selenium,cypress,playwright,tdd
observability|Observability|monitoring,prometheus,grafana,datadog,opentelemetry
security|Application security|appsec,owasp,penetration testing,threat modeling
networking|Networking|tcp/ip,dns,routing,firewalls,cisco
ios|iOS development|ios,xcode,swiftui
android|Android development|android,android studio,jetpack compose
machine-learning|Machine learning|ml,scikit-learn,sklearn,xgboost,predictive modeling
deep-learning|Deep learning|neural networks,pytorch,tensorflow,keras
nlp|NLP|natural language processing,llm,large language models,transformers
data-analysis|Data analysis|data analytics,analytics,pandas,numpy
statistics|Statistics|statistical analysis,a/b testing,regression analysis,hypothesis testing
data-engineering|Data engineering|etl,elt,data pipelines,airflow,dbt,spark,pyspark,databricks,snowflake
data-viz|Data visualization|tableau,power bi,looker,dashboards
excel|Excel|microsoft excel,spreadsheets,pivot tables,vlookup
figma|Figma|sketch,adobe xd
ux-design|UX design|user experience,ux,user research,usability testing,wireframing,prototyping,interaction design
ui-design|UI design|visual design,user interface design,design systems
graphic-design|Graphic design|adobe creative suite,photoshop,illustrator,indesign
seo|SEO|search engine optimization
sem|Paid search|sem,google ads,ppc,paid media
content-marketing|Content marketing|copywriting,content strategy,blogging
social-media|Social media marketing|social media,instagram,tiktok,linkedin ads,facebook ads
email-marketing|Email marketing|mailchimp,klaviyo,marketing automation,hubspot,marketo
product-management|Product management|product manager,product roadmap,roadmapping,product discovery
project-management|Project management|project manager,project planning,pmo
agile|Agile|scrum,kanban,sprint planning,jira
stakeholder-management|Stakeholder management|stakeholders
b2b-sales|B2B sales|business-to-business sales,enterprise sales,saas sales,account executive
crm|CRM|salesforce,hubspot crm,pipedrive,dynamics 365
lead-generation|Lead generation|prospecting,cold calling,outbound,pipeline generation
negotiation|Negotiation|negotiating,contract negotiation
account-management|Account management|account manager,client retention,upselling,key accounts
customer-service|Customer service|customer support,client service,help desk,zendesk,customer care
retail|Retail|point of sale,pos,merchandising,visual merchandising,cash handling
accounting|Accounting|bookkeeping,general ledger,accounts payable,accounts receivable,reconciliation,reconciliations,month-end close
financial-analysis|Financial analysis|financial modeling,financial modelling,forecasting,budgeting,fp&a,variance analysis
audit|Auditing|internal audit,external audit,sox compliance
tax|Tax|tax preparation,tax returns,vat,payroll tax
payroll|Payroll|
quickbooks|QuickBooks|xero,sage
sap|SAP|sap erp,s/4hana
gaap|GAAP|ifrs,us gaap
nursing|Nursing|patient care,registered nurse,nurse,clinical care
patient-assessment|Patient assessment|vital signs,triage,care plans,care planning
medication-administration|Medication administration|administering medication,iv therapy,medication management
emr|Electronic medical records|emr,ehr,epic,cerner,electronic health records
icu|Critical care|icu,intensive care,critical care nursing
emergency-care|Emergency care|emergency department,emergency room,er nursing
phlebotomy|Phlebotomy|venipuncture,blood draws
pharmacy|Pharmacy|dispensing,pharmaceutical
hipaa|HIPAA|patient confidentiality
infection-control|Infection control|sterile technique,aseptic technique
electrical|Electrical installation|electrician,wiring,electrical systems,electrical installations,circuits,switchboards
plumbing|Plumbing|plumber,pipefitting,pipe fitting
hvac|HVAC|heating ventilation and air conditioning,refrigeration,air conditioning
welding|Welding|welder,mig welding,tig welding,arc welding
carpentry|Carpentry|carpenter,joinery,framing,woodworking
construction|Construction|building sites,construction site,site supervision
blueprints|Blueprint reading|blueprints,technical drawings,schematics
power-tools|Power tools|hand and power tools
forklift|Forklift operation|forklift,reach truck,pallet jack
warehouse|Warehouse operations|warehousing,picking and packing,pick and pack,picked and packed,order picking,inventory management,stock control,distribution centre,distribution center,goods in,dispatch
logistics|Logistics|supply chain,freight,shipping,distribution,procurement
cdl|Commercial driving|cdl,hgv,lgv,truck driving,class a license
machining|CNC machining|cnc,lathe,milling
maintenance|Maintenance|preventive maintenance,troubleshooting equipment,facilities maintenance
health-safety|Health and safety|osha,workplace safety,risk assessments,risk assessment,ppe,health & safety
cooking|Cooking|culinary,line cook,chef,food preparation,menu planning,kitchen
food-safety|Food safety|haccp,food hygiene,servsafe
hospitality|Hospitality|front desk,guest services,hotel operations,reservations
barista|Barista|espresso,coffee preparation
teaching|Teaching|teacher,lesson planning,classroom management,curriculum development,instruction
special-education|Special education|sen,iep,special needs
tutoring|Tutoring|tutor
legal-research|Legal research|westlaw,lexisnexis,case law
contract-law|Contract drafting|contracts,contract review,drafting agreements
litigation|Litigation|court filings,discovery
compliance|Compliance|regulatory compliance,gdpr,aml,kyc
recruiting|Recruiting|recruitment,talent acquisition,sourcing candidates,interviewing,applicant tracking
hr|Human resources|hr,employee relations,onboarding,hris,people operations
training|Training and coaching|coaching,mentoring,mentored,training delivery
leadership|Team leadership|team lead,led a team,managed a team,people management,line management,supervised
communication|Communication|presentations,public speaking,written communication
budget-management|Budget management|p&l,cost control,budget ownership
operations|Operations management|operations manager,process improvement,lean,six sigma,kaizen
quality-assurance|Quality assurance|qa,quality control,iso 9001,manual testing
technical-writing|Technical writing|documentation,technical documentation,api documentation
video-editing|Video editing|premiere pro,final cut,after effects
photography|Photography|lightroom
cad|CAD|autocad,solidworks,revit
embedded|Embedded systems|firmware,microcontrollers,rtos,arm cortex
real-estate|Real estate|property management,leasing
insurance|Insurance|underwriting,claims handling,claims
banking|Banking|lending,credit analysis,loans
trading|Trading|equities,derivatives,fixed income
`;

const CERTIFICATIONS = `
aws-certified|AWS certification|aws certified,aws solutions architect,aws certified solutions architect,aws certified developer
azure-certified|Azure certification|azure certified,az-104,az-900,az-204
gcp-certified|Google Cloud certification|google cloud certified,professional cloud architect
cka|Certified Kubernetes Administrator|cka,ckad
cissp|CISSP|
comptia-security|CompTIA Security+|security+,comptia security+
ccna|CCNA|cisco certified network associate
pmp|PMP|project management professional
prince2|PRINCE2|
csm|Certified ScrumMaster|csm,scrum master certification,psm
cpa|CPA|certified public accountant
acca|ACCA|
cfa|CFA|chartered financial analyst
cma|CMA|certified management accountant
shrm|SHRM certification|shrm-cp,shrm-scp,cipd
rn-license|RN license|registered nurse license,rn,nmc pin,nclex
bls|BLS certification|bls,basic life support,cpr
acls|ACLS certification|acls,advanced cardiac life support
pals|PALS certification|pals
cdl-license|CDL license|cdl class a,commercial driver's license,hgv licence
forklift-license|Forklift certification|forklift license,forklift licence,forklift certified
osha-30|OSHA 30|osha 30,osha 10,osha certification
journeyman-license|Journeyman license|journeyman,licensed electrician,licensed plumber,master electrician
epa-608|EPA 608 certification|epa 608,f-gas
food-handler|Food handler certificate|food handler,food hygiene certificate,servsafe certification
teaching-license|Teaching license|qualified teacher status,qts,teaching certificate,state teaching license,pgce
bar-admission|Bar admission|admitted to the bar,bar license,solicitor,attorney at law
google-ads-cert|Google Ads certification|google ads certified
six-sigma|Six Sigma certification|six sigma green belt,six sigma black belt,lean six sigma
itil|ITIL|itil foundation
`;

const LANGUAGES = `
english|English|
spanish|Spanish|castellano,español
french|French|français
german|German|deutsch
italian|Italian|
portuguese|Portuguese|
dutch|Dutch|
polish|Polish|
russian|Russian|
ukrainian|Ukrainian|
arabic|Arabic|
hebrew|Hebrew|
turkish|Turkish|
hindi|Hindi|
urdu|Urdu|
bengali|Bengali|
mandarin|Mandarin|chinese,mandarin chinese,putonghua
cantonese|Cantonese|
japanese|Japanese|
korean|Korean|
vietnamese|Vietnamese|
tagalog|Tagalog|filipino
swahili|Swahili|
greek|Greek|
swedish|Swedish|
norwegian|Norwegian|
danish|Danish|
finnish|Finnish|
sign-language|Sign language|asl,bsl,american sign language,british sign language
`;

/** Degree levels, lowest first; a criterion for one level is met by it or any higher level. */
export const DEGREE_LEVELS: { id: string; label: string; terms: string[] }[] = [
  {
    id: 'degree-associate',
    label: 'Associate degree or diploma',
    terms: ['associate degree', "associate's degree", 'diploma', 'hnd', 'foundation degree'],
  },
  {
    id: 'degree-bachelor',
    label: "Bachelor's degree",
    terms: [
      "bachelor's",
      'bachelors',
      'bachelor',
      'bsc',
      'b.sc',
      'b.s.',
      'ba',
      'b.a.',
      'beng',
      'b.eng',
      'btech',
      'b.tech',
      'bsn',
      'undergraduate degree',
      'university degree',
      'college degree',
      'degree in',
    ],
  },
  {
    id: 'degree-master',
    label: "Master's degree",
    terms: [
      "master's",
      'masters',
      'master of',
      'msc',
      'm.sc',
      'm.s.',
      'ma',
      'm.a.',
      'meng',
      'mba',
      'msn',
      'llm',
    ],
  },
  {
    id: 'degree-phd',
    label: 'PhD',
    terms: ['phd', 'ph.d', 'doctorate', 'doctoral degree', 'md', 'jd', 'dphil'],
  },
];

function parse(block: string, kind: CriterionKind): LexiconEntry[] {
  return block
    .trim()
    .split('\n')
    .map((line) => {
      const [id, label, more] = line.split('|') as [string, string, string | undefined];
      const extra = (more ?? '')
        .split(',')
        .map((t) => t.trim().toLowerCase())
        .filter(Boolean);
      return { id, label, kind, terms: [...new Set([label.toLowerCase(), ...extra])] };
    });
}

export const LEXICON: readonly LexiconEntry[] = [
  ...parse(SKILLS, 'skill'),
  ...parse(CERTIFICATIONS, 'certification'),
  ...parse(LANGUAGES, 'language'),
];

export const LEXICON_BY_ID: ReadonlyMap<string, LexiconEntry> = new Map(LEXICON.map((e) => [e.id, e]));
