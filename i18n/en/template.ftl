# The template's names (crates/model/templates/itu-plenipotentiary-2026.json), in English exactly as
# the template has them: a title still equal to this is shown translated; an edited one as written.

## Tracks (committees and working groups), by the template's id
track-PL = Plenary
track-COM1 = Committee 1 – Steering Committee
track-COM2 = Committee 2 – Credentials
track-COM3 = Committee 3 – Budget Control
track-COM4 = Committee 4 – Editorial
track-COM5 = Committee 5 – Policy and Legal Matters
track-COM6 = Committee 6 – Administration and Management
track-WG-PL = Working Group of the Plenary

## Agenda item titles, by the template's id
item-res-102 = ITU's role with regard to international public policy issues pertaining to the Internet and the management of Internet resources, including domain names and addresses
item-res-101 = Internet Protocol-based networks
item-res-130 = Strengthening the role of ITU in building confidence and security in the use of information and communication technologies
item-res-140 = ITU's role in implementing the outcomes of the World Summit on the Information Society and the 2030 Agenda for Sustainable Development, as well as in their follow-up and review processes
item-res-179 = ITU's role in child online protection
item-res-206 = OTTs
item-res-71 = Strategic plan for the Union for 2028-2031
item-res-139 = Use of telecommunications/information and communication technologies to bridge the digital divide and build an inclusive information society
item-res-203 = Connectivity to broadband networks
item-res-123 = Bridging the standardization gap between developing and developed countries
item-res-9 = Participation of countries, particularly developing countries, in spectrum management
item-dec-12 = Free online access to ITU publications
item-res-66 = Documents and publications of the Union
item-res-167 = Strengthening and developing ITU capabilities for electronic meetings and means to advance the work of the Union
item-res-169 = Admission of academia to participate in the work of the Union
item-elections = Elections of the Secretary-General, Deputy Secretary-General, Bureau Directors, Radio Regulations Board members and Council Member States

## ITU regions
region-africa = Africa
region-americas = Americas
region-asia-and-australasia = Asia and Australasia
region-eastern-europe-and-northern-asia = Eastern Europe and Northern Asia
region-western-europe = Western Europe
